// Internal to dicom/: a DCMTK input stream over bytes held in memory that, unlike
// DcmInputBufferStream, can make a stream factory for a position. DCMTK then leaves element
// values longer than the read's maxReadLength (Pixel Data above all) in place, skipping them
// (a value running past the end still fails the read as truncated) instead of copying them
// into buffers of their own; a value is copied only if something asks for it. The bytes must
// outlive the stream and every DcmObject read from it.
#pragma once

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcistrma.h>

#include "core/bytes.h"

namespace arca::dicom {

class MemoryProducer final : public DcmProducer {
 public:
  explicit MemoryProducer(ByteView data) : data_(data) {}
  OFBool good() const override { return OFTrue; }
  OFCondition status() const override { return EC_Normal; }
  OFBool eos() override { return pos_ >= data_.size(); }
  offile_off_t avail() override { return static_cast<offile_off_t>(data_.size() - pos_); }
  offile_off_t read(void* buf, offile_off_t buflen) override;
  offile_off_t skip(offile_off_t skiplen) override;
  void putback(offile_off_t num) override;

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

class MemoryInputStream final : public DcmInputStream {
 public:
  // A stream over `data` positioned at `offset`.
  explicit MemoryInputStream(ByteView data, offile_off_t offset = 0);
  DcmInputStreamFactory* newFactory() const override;

 private:
  ByteView data_;
  MemoryProducer producer_;
};

}  // namespace arca::dicom
