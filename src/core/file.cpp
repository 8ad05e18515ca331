#include "core/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace arca {

Error errno_error(int err, std::string_view what) {
  ErrorCode code = ErrorCode::kIo;
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      code = ErrorCode::kOutOfSpace;
      break;
    case ENOENT:
      code = ErrorCode::kNotFound;
      break;
    case EEXIST:
      code = ErrorCode::kAlreadyExists;
      break;
    case EACCES:
    case EPERM:
      code = ErrorCode::kPermissionDenied;
      break;
    default:
      break;
  }
  return Error{code, std::string(what) + ": " + std::strerror(err)};
}

Result<File> File::open(const std::filesystem::path& path, Mode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case Mode::kRead:
      flags |= O_RDONLY;
      break;
    case Mode::kCreateExclusive:
      flags |= O_RDWR | O_CREAT | O_EXCL;
      break;
    case Mode::kReadWrite:
      flags |= O_RDWR | O_CREAT;
      break;
    case Mode::kReadWriteExisting:
      flags |= O_RDWR;
      break;
    case Mode::kAppend:
      flags |= O_RDWR | O_CREAT | O_APPEND;
      break;
  }
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0)
    return errno_error(errno, "open " + path.filename().string());
  return File(fd);
}

File::File(File&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}
File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}
File::~File() {
  if (fd_ >= 0)
    ::close(fd_);
}

Result<std::size_t> File::read_at(std::uint64_t offset, MutableByteView out) const {
  for (;;) {
    ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
    if (n >= 0)
      return static_cast<std::size_t>(n);
    if (errno != EINTR)
      return errno_error(errno, "read");
  }
}

Result<void> File::write_all(ByteView data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno_error(errno, "write");
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return ok();
}

Result<void> File::write_at(std::uint64_t offset, ByteView data) const {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno_error(errno, "write");
    }
    done += static_cast<std::size_t>(n);
  }
  return ok();
}

Result<std::uint64_t> File::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0)
    return errno_error(errno, "stat");
  return static_cast<std::uint64_t>(st.st_size);
}

Result<void> File::truncate(std::uint64_t size) const {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    return errno_error(errno, "truncate");
  return ok();
}

Result<void> File::sync() const {
  if (::fdatasync(fd_) != 0)
    return errno_error(errno, "fsync");
  return ok();
}

Result<void> File::close() {
  int fd = fd_;
  fd_ = -1;
  if (fd >= 0 && ::close(fd) != 0)
    return errno_error(errno, "close");
  return ok();
}

Result<void> sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return errno_error(errno, "open directory");
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    return errno_error(err, "fsync directory");
  return ok();
}

Result<FileSource> FileSource::open(const std::filesystem::path& path) {
  File f = ARCA_TRY(File::open(path, File::Mode::kRead));
  return FileSource(std::move(f));
}

Result<std::size_t> FileSource::read(MutableByteView out) {
  std::size_t n = ARCA_TRY(file_.read_at(pos_, out));
  pos_ += n;
  return n;
}

Result<void> write_file_atomic(const std::filesystem::path& path, ByteView data, unsigned mode) {
  auto tmp = path;
  tmp += ".tmp";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  {
    File f = ARCA_TRY(File::open(tmp, File::Mode::kCreateExclusive));
    if (::fchmod(f.fd(), mode) != 0)
      return errno_error(errno, "chmod");
    ARCA_TRY(f.write_all(data));
    ARCA_TRY(f.sync());
    ARCA_TRY(f.close());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return errno_error(errno, "rename");
  auto parent = path.parent_path();
  return sync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size) {
  File file = ARCA_TRY(File::open(path, File::Mode::kRead));
  std::uint64_t size = ARCA_TRY(file.size());
  if (size > max_size)
    return make_error(ErrorCode::kTooLarge, "file exceeds limit");
  // One allocation of the right size and as few reads as the kernel allows (the importer reads
  // every file through here). A file that changes size meanwhile is read as it was at open.
  Bytes out(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < out.size()) {
    std::size_t n = ARCA_TRY(file.read_at(done, MutableByteView(out).subspan(done)));
    if (n == 0)
      break;
    done += n;
  }
  out.resize(done);
  return out;
}

}  // namespace arca
