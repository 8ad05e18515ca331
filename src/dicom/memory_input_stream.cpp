#include "dicom/memory_input_stream.h"

#include <algorithm>
#include <cstring>

namespace arca::dicom {
namespace {

class MemoryStreamFactory final : public DcmInputStreamFactory {
 public:
  MemoryStreamFactory(ByteView data, offile_off_t offset) : data_(data), offset_(offset) {}
  DcmInputStream* create() const override { return new MemoryInputStream(data_, offset_); }
  DcmInputStreamFactory* clone() const override { return new MemoryStreamFactory(*this); }
  // DCMTK knows two kinds; ours behaves as a file's (a fixed byte sequence to reopen at an
  // offset), not as a temporary file's that is deleted with its last user.
  DcmInputStreamFactoryType ident() const override { return DFT_DcmInputFileStreamFactory; }

 private:
  ByteView data_;
  offile_off_t offset_;
};

}  // namespace

offile_off_t MemoryProducer::read(void* buf, offile_off_t buflen) {
  const std::size_t n =
      std::min(static_cast<std::size_t>(std::max<offile_off_t>(buflen, 0)), data_.size() - pos_);
  if (n > 0)
    std::memcpy(buf, data_.data() + pos_, n);
  pos_ += n;
  return static_cast<offile_off_t>(n);
}

offile_off_t MemoryProducer::skip(offile_off_t skiplen) {
  const std::size_t n =
      std::min(static_cast<std::size_t>(std::max<offile_off_t>(skiplen, 0)), data_.size() - pos_);
  pos_ += n;
  return static_cast<offile_off_t>(n);
}

void MemoryProducer::putback(offile_off_t num) {
  pos_ -= std::min(static_cast<std::size_t>(std::max<offile_off_t>(num, 0)), pos_);
}

MemoryInputStream::MemoryInputStream(ByteView data, offile_off_t offset)
    : DcmInputStream(&producer_), data_(data), producer_(data) {
  if (offset > 0)
    skip(offset);
}

DcmInputStreamFactory* MemoryInputStream::newFactory() const {
  // Behind a filter (a deflated data set) tell() counts inflated bytes, not offsets into data_:
  // no factory, so DCMTK reads every value as it goes.
  if (currentProducer() != &producer_)
    return nullptr;
  return new MemoryStreamFactory(data_, tell());
}

}  // namespace arca::dicom
