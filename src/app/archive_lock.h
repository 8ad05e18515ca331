// ArchiveLock: one process at a time opens an archive (data directory). The startup sweep
// deletes blobs no index row references, which is only safe if no other process is between
// writing a blob and indexing it. Held with flock(2), so it vanishes with a killed process.
#pragma once

#include <filesystem>

#include "core/result.h"

namespace arca::app {

class ArchiveLock {
 public:
  static Result<ArchiveLock> acquire(const std::filesystem::path& data_dir);
  ArchiveLock(ArchiveLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ArchiveLock& operator=(ArchiveLock&&) = delete;
  ArchiveLock(const ArchiveLock&) = delete;
  ~ArchiveLock();

 private:
  explicit ArchiveLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace arca::app
