// MappedAppendArea: appends to a file by copying into a shared memory mapping of space reserved
// ahead (fallocate, in 1 MiB chunks), instead of one pwrite(2) per append. The audit journal
// writes one frame per read this way (docs/adr/0020): on the request path the kernel's write
// path (ext4's block reservation, i_size and time updates, ~5 µs of a read's CPU in `arca
// serve`) becomes a memcpy and one page fault per 4 KiB.
// - What is copied is in the page cache at once, like a pwrite: it survives a crash of the
//   process, and File::sync (fdatasync) of the file makes it durable.
// - A chunk that cannot be reserved (disk full, file size limit) fails reserve() before any
//   byte is copied, so the caller refuses the append (fail closed) with nothing half written.
// - Reserved space past the data reads as zeros.
// - Only on file systems whose fallocate guarantees the space for later writes into it (ext4,
//   XFS, tmpfs): elsewhere (copy-on-write file systems) a write into a mapping could find the
//   disk full only when the page is written, as a SIGBUS; `supported()` says no and the caller
//   keeps pwrite.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::store {

class MappedAppendArea {
 public:
  static constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;

  // Whether the file system of `fd` keeps fallocated space for writes through a mapping.
  static bool supported(int fd);

  explicit MappedAppendArea(int fd) : fd_(fd) {}
  MappedAppendArea(MappedAppendArea&& other) noexcept;
  MappedAppendArea& operator=(MappedAppendArea&& other) noexcept;
  MappedAppendArea(const MappedAppendArea&) = delete;
  MappedAppendArea& operator=(const MappedAppendArea&) = delete;
  ~MappedAppendArea();

  // Makes [0, end) of the file reserved and mapped (the file grows to a whole chunk).
  Result<void> reserve(std::uint64_t end);
  // Copies `data` to `offset`; [offset, offset + data.size()) must be reserved.
  void copy(std::uint64_t offset, ByteView data);
  std::uint64_t reserved() const { return reserved_; }

 private:
  void unmap();

  int fd_ = -1;
  std::vector<std::uint8_t*> chunks_;  // chunk i maps [i * kChunk, (i + 1) * kChunk)
  std::uint64_t reserved_ = 0;
};

}  // namespace arca::store
