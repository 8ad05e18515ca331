// Thin, fallible wrappers over POSIX files: the one place core touches the OS, so stores and
// tests share the same error mapping (ENOSPC -> kOutOfSpace, ENOENT -> kNotFound, ...).
// Thread-safety: a File is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/result.h"
#include "core/stream.h"

namespace arca {

// An errno value as an Error with context.
Error errno_error(int err, std::string_view what);

class File {
 public:
  // kCreateExclusive and kReadWrite create a missing file (0600); kCreateExclusive fails if it
  // exists. kReadWriteExisting opens only an existing one; kAppend writes at the end (O_APPEND).
  enum class Mode { kRead, kCreateExclusive, kReadWrite, kReadWriteExisting, kAppend };

  static Result<File> open(const std::filesystem::path& path, Mode mode);
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) const;
  Result<void> write_all(ByteView data);
  // All of `data` at `offset` (pwrite: the file position is untouched, so threads may share it).
  Result<void> write_at(std::uint64_t offset, ByteView data) const;
  Result<std::uint64_t> size() const;
  Result<void> truncate(std::uint64_t size) const;
  Result<void> sync() const;  // fdatasync
  Result<void> close();
  int fd() const { return fd_; }

 private:
  explicit File(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// fsync of a directory, so a rename or create inside it is durable.
Result<void> sync_directory(const std::filesystem::path& dir);

// Sequential reading of a whole file.
class FileSource final : public ByteSource {
 public:
  static Result<FileSource> open(const std::filesystem::path& path);
  Result<std::size_t> read(MutableByteView out) override;
  Result<std::uint64_t> size() const { return file_.size(); }

 private:
  explicit FileSource(File f) : file_(std::move(f)) {}
  File file_;
  std::uint64_t pos_ = 0;
};

// Writes a small file atomically (temp, fsync, rename, fsync dir) with the given mode bits.
Result<void> write_file_atomic(const std::filesystem::path& path, ByteView data, unsigned mode);
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size);

}  // namespace arca
