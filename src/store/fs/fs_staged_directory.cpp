#include "store/fs/fs_staged_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file.h"

namespace arca::store {

namespace fs = std::filesystem;

namespace {

Error fs_error(const std::error_code& ec, const std::string& what) {
  return errno_error(ec.value(), what);
}

class FileWriter final : public StagedFile {
 public:
  explicit FileWriter(File file) : file_(std::move(file)) {}
  Result<void> write(ByteView data) override { return file_.write_all(data); }
  // Synced with the whole tree at publish (one syncfs instead of an fsync per file).
  Result<void> commit() override { return file_.close(); }

 private:
  File file_;
};

bool safe_relative(const std::string& relative) {
  fs::path p(relative);
  if (relative.empty() || p.is_absolute())
    return false;
  for (const auto& part : p) {
    if (part == ".." || part == ".")
      return false;
  }
  return true;
}

Result<void> make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return errno_error(errno, "create directory " + dir.filename().string());
  return ok();
}

}  // namespace

bool is_absent_or_empty(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec)))
    return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec) && !ec;
}

Result<std::unique_ptr<StagedDirectory>> FsStagedDirectory::create(const fs::path& final_dir,
                                                                   Random& random) {
  fs::path final_path = fs::absolute(final_dir).lexically_normal();
  if (!final_path.has_filename())
    final_path = final_path.parent_path();
  std::error_code ec;
  const bool exists = fs::exists(fs::symlink_status(final_path, ec));
  if (exists && !is_absent_or_empty(final_path)) {
    return make_error(ErrorCode::kAlreadyExists,
                      final_path.string() + " already exists and is not an empty directory");
  }
  fs::create_directories(final_path.parent_path(), ec);
  if (ec)
    return fs_error(ec, "create " + final_path.parent_path().string());
  fs::path staging = final_path.parent_path() /
                     ("." + final_path.filename().string() + ".partial-" + random.hex(6));
  if (::mkdir(staging.c_str(), 0700) != 0)
    return errno_error(errno, "create a directory beside " + final_path.string());
  return std::unique_ptr<StagedDirectory>(new FsStagedDirectory(final_path, staging, exists));
}

FsStagedDirectory::~FsStagedDirectory() {
  if (!published_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

Result<std::unique_ptr<StagedFile>> FsStagedDirectory::create_file(const std::string& relative) {
  if (!safe_relative(relative))
    return make_error(ErrorCode::kInvalidArgument, "unsafe path in a backup: " + relative);
  fs::path path = staging_ / relative;
  fs::path dir = staging_;
  fs::path parent = fs::path(relative).parent_path();
  for (const auto& part : parent) {
    dir /= part;
    ARCA_TRY(make_dir(dir));
  }
  File file = ARCA_TRY(File::open(path, File::Mode::kCreateExclusive));
  return std::unique_ptr<StagedFile>(new FileWriter(std::move(file)));
}

Result<void> FsStagedDirectory::publish() {
  std::error_code ec;
  std::vector<fs::path> dirs{staging_};
  for (auto it = fs::recursive_directory_iterator(staging_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec))
      dirs.push_back(it->path());
  }
  if (ec)
    return fs_error(ec, "list " + staging_.string());
  {  // every file written into the staging tree reaches the disk, in one call
    int fd = ::open(staging_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
      return errno_error(errno, "open " + staging_.string());
    int rc = ::syncfs(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0)
      return errno_error(err, "sync " + staging_.string());
  }
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d)
    ARCA_TRY(sync_directory(*d));
  if (replace_empty_) {
    fs::remove(final_, ec);  // only succeeds while it is still empty
    if (ec)
      return make_error(ErrorCode::kAlreadyExists, final_.string() + " is no longer empty");
  }
  if (::rename(staging_.c_str(), final_.c_str()) != 0)
    return errno_error(errno, "rename into " + final_.string());
  published_ = true;
  return sync_directory(final_.parent_path());
}

}  // namespace arca::store
