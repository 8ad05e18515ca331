// ZipStream: a zip archive (PKWARE APPNOTE 6.3.10) produced as a ByteSource, for downloads that
// stream: each entry's bytes are pulled from its own source only when the client has read that
// far, so a study of any size passes through in 64 KiB steps and is never whole in memory or on
// disk. Entries are stored (method 0; DICOM pixel data rarely deflates well and stored entries
// keep CPU low), with CRC-32 (zlib) computed on the way and written in a data descriptor after
// the data (flag bit 3), since it is only known at the end. Names are UTF-8 (flag bit 11).
// ZIP64 records are written per entry when an entry reaches 4 GiB, and at the end when the
// archive needs them (offsets or the central directory past 4 GiB, 65,535 entries or more).
//
// Every entry's size is declared up front, so the archive's exact length is known before the
// first byte (size(): a Content-Length). A source that yields more or fewer bytes than declared
// fails the read with kIntegrity, as does any error of the source itself; the caller then cuts
// the transfer short, and a truncated zip is refused by every reader.
//
// Why not a library: libarchive (already linked for `arca import`) and minizip write by pushing
// into a callback, and libzip needs a seekable file; Arca's HTTP bodies are pulled (ByteSource),
// so those would need a thread per download or a spool file. A stored-entry writer is ~250
// lines; its tests read the output back with libarchive and Python's zipfile.
// Thread-safety: used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/stream.h"

namespace arca::api {

struct ZipEntry {
  std::string name;              // path inside the archive, '/'-separated, UTF-8, no leading '/'
  std::uint64_t size = 0;        // the exact number of bytes the entry's source yields
  std::int64_t modified_ms = 0;  // Unix epoch milliseconds, stored as an MS-DOS time (UTC)
};

// Opens entry i's bytes; called once per entry, in order, when the reader reaches it.
using ZipOpener = std::function<Result<std::unique_ptr<ByteSource>>(std::size_t index)>;

enum class Zip64 { kWhenNeeded, kAlways };  // kAlways: for tests of the ZIP64 records

class ZipStream final : public ByteSource {
 public:
  ZipStream(std::vector<ZipEntry> entries, ZipOpener open, Zip64 zip64 = Zip64::kWhenNeeded);
  ~ZipStream() override;

  // The archive's exact length in bytes.
  std::uint64_t size() const { return size_; }
  Result<std::size_t> read(MutableByteView out) override;

 private:
  enum class Step { kLocalHeader, kData, kEnd, kDone };
  bool entry_zip64(std::size_t i) const;
  std::uint64_t header_size(std::size_t i) const;
  std::uint64_t descriptor_size(std::size_t i) const;
  Bytes central_directory() const;
  Bytes local_header(std::size_t i) const;
  Result<std::size_t> read_data(MutableByteView out);

  std::vector<ZipEntry> entries_;
  ZipOpener open_;
  bool force_zip64_;
  std::vector<std::uint64_t> offsets_;  // of each local header
  std::vector<std::uint32_t> crcs_;
  std::uint64_t directory_offset_ = 0;
  std::uint64_t size_ = 0;

  Step step_ = Step::kLocalHeader;
  std::size_t current_ = 0;
  std::unique_ptr<ByteSource> source_;
  std::uint64_t read_of_entry_ = 0;
  std::uint32_t crc_ = 0;
  Bytes pending_;
  std::size_t pending_pos_ = 0;
};

}  // namespace arca::api
