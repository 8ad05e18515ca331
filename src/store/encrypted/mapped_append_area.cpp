#include "store/encrypted/mapped_append_area.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/file.h"

namespace arca::store {

namespace {

constexpr long kXfsMagic = 0x58465342;  // "XFSB"; not in <linux/magic.h>

}  // namespace

bool MappedAppendArea::supported(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0)
    return false;
  const auto type = static_cast<long>(fs.f_type);
  return type == EXT4_SUPER_MAGIC || type == kXfsMagic || type == TMPFS_MAGIC;
}

MappedAppendArea::MappedAppendArea(MappedAppendArea&& other) noexcept
    : fd_(other.fd_),
      chunks_(std::move(other.chunks_)),
      reserved_(std::exchange(other.reserved_, 0)) {
  other.chunks_.clear();
}

MappedAppendArea& MappedAppendArea::operator=(MappedAppendArea&& other) noexcept {
  if (this != &other) {
    unmap();
    fd_ = other.fd_;
    chunks_ = std::move(other.chunks_);
    other.chunks_.clear();
    reserved_ = std::exchange(other.reserved_, 0);
  }
  return *this;
}

MappedAppendArea::~MappedAppendArea() {
  unmap();
}

void MappedAppendArea::unmap() {
  for (std::uint8_t* chunk : chunks_)
    ::munmap(chunk, kChunk);
  chunks_.clear();
  reserved_ = 0;
}

Result<void> MappedAppendArea::reserve(std::uint64_t end) {
  while (reserved_ < end) {
    // Real blocks, not a sparse hole: a later write through the mapping needs no allocation.
    const int err =
        ::posix_fallocate(fd_, static_cast<off_t>(reserved_), static_cast<off_t>(kChunk));
    if (err != 0)
      return errno_error(err, "reserving space");
    void* p = ::mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_SHARED, fd_,
                     static_cast<off_t>(reserved_));
    if (p == MAP_FAILED)
      return errno_error(errno, "mapping");
    chunks_.push_back(static_cast<std::uint8_t*>(p));
    reserved_ += kChunk;
  }
  return ok();
}

void MappedAppendArea::copy(std::uint64_t offset, ByteView data) {
  while (!data.empty()) {
    const auto chunk = static_cast<std::size_t>(offset / kChunk);
    const auto within = static_cast<std::size_t>(offset % kChunk);
    const std::size_t n = std::min<std::size_t>(data.size(), kChunk - within);
    std::memcpy(chunks_[chunk] + within, data.data(), n);
    data = data.subspan(n);
    offset += n;
  }
}

}  // namespace arca::store
