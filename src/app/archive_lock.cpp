#include "app/archive_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "core/file.h"

namespace arca::app {

Result<ArchiveLock> ArchiveLock::acquire(const std::filesystem::path& data_dir) {
  auto path = data_dir / "arca.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno_error(errno, "open " + path.string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return make_error(ErrorCode::kUnavailable,
                        "the archive in " + data_dir.string() +
                            " is in use by another arca process; stop it first, or send to it "
                            "over DICOM or STOW-RS");
    }
    return errno_error(err, "lock " + path.string());
  }
  return ArchiveLock(fd);
}

ArchiveLock::~ArchiveLock() {
  if (fd_ >= 0)
    ::close(fd_);
}

}  // namespace arca::app
