#include "store/fs/fs_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "core/file.h"
#include "store/fs/file_blob_reader.h"

namespace arca::store {

namespace fs = std::filesystem;

namespace {

Result<void> make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return errno_error(errno, "create blob directory");
  }
  return ok();
}

Error invalid_id() {
  return make_error(ErrorCode::kInvalidArgument, "malformed blob id");
}

}  // namespace

class FsBlobWriter final : public BlobWriter {
 public:
  FsBlobWriter(FsBlobStore& store, BlobId id, fs::path temp, File file)
      : store_(store), id_(std::move(id)), temp_(std::move(temp)), file_(std::move(file)) {}
  ~FsBlobWriter() override {
    if (!committed_) {
      (void)file_.close();
      std::error_code ec;
      fs::remove(temp_, ec);
    }
  }

  // Small writes (an encryptor hands over one 64 KiB segment at a time) are gathered into
  // 1 MiB writes: a typical instance then costs one write(2) instead of nine.
  Result<void> write(ByteView data) override {
    if (buffer_.size() + data.size() > kBufferSize)
      ARCA_TRY(flush());
    if (data.size() >= kBufferSize)
      return file_.write_all(data);
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return ok();
  }

  Result<void> commit() override {
    ARCA_TRY(flush());
    ARCA_TRY(file_.sync());
    ARCA_TRY(file_.close());
    ARCA_TRY(store_.publish(temp_, id_));
    committed_ = true;
    return ok();
  }

 private:
  static constexpr std::size_t kBufferSize = std::size_t{1} << 20;

  Result<void> flush() {
    if (buffer_.empty())
      return ok();
    ARCA_TRY(file_.write_all(buffer_));
    buffer_.clear();
    return ok();
  }

  FsBlobStore& store_;
  BlobId id_;
  fs::path temp_;
  File file_;
  Bytes buffer_;
  bool committed_ = false;
};

Result<std::unique_ptr<FsBlobStore>> FsBlobStore::open(const fs::path& root) {
  for (const auto& dir : {root, root / "objects", root / "tmp"})
    ARCA_TRY(make_dir(dir));
  // All 256 shard directories exist from the start, so no commit has to create (and fsync)
  // a directory on the hot path.
  static constexpr char kDigits[] = "0123456789abcdef";
  bool created = false;
  for (char hi : std::string_view(kDigits, 16)) {
    for (char lo : std::string_view(kDigits, 16)) {
      fs::path shard = root / "objects" / std::string{hi, lo};
      if (::mkdir(shard.c_str(), 0700) == 0) {
        created = true;
      } else if (errno != EEXIST) {
        return errno_error(errno, "create blob directory");
      }
    }
  }
  if (created)
    ARCA_TRY(sync_directory(root / "objects"));
  return std::unique_ptr<FsBlobStore>(new FsBlobStore(root));
}

fs::path FsBlobStore::path_of(const BlobId& id) const {
  return root_ / "objects" / id.str().substr(0, 2) / id.str();
}

Result<std::unique_ptr<BlobWriter>> FsBlobStore::create(const BlobId& id, const BlobScope&) {
  if (!is_valid_blob_id(id))
    return invalid_id();
  if (fs::exists(path_of(id)))
    return make_error(ErrorCode::kAlreadyExists, "blob exists");
  fs::path temp = root_ / "tmp" / (id.str() + "." + std::to_string(++temp_counter_) + ".tmp");
  File file = ARCA_TRY(File::open(temp, File::Mode::kCreateExclusive));
  return std::unique_ptr<BlobWriter>(
      std::make_unique<FsBlobWriter>(*this, id, std::move(temp), std::move(file)));
}

Result<void> FsBlobStore::publish(const fs::path& temp, const BlobId& id) {
  fs::path final_path = path_of(id);
  // RENAME_NOREPLACE: a committed blob is never silently replaced (kAlreadyExists instead).
  if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0) {
    return errno_error(errno, "publish blob");
  }
  return sync_directory(final_path.parent_path());
}

Result<std::unique_ptr<BlobReader>> FsBlobStore::open(const BlobId& id) {
  if (!is_valid_blob_id(id))
    return invalid_id();
  File file = ARCA_TRY(File::open(path_of(id), File::Mode::kRead));
  std::uint64_t size = ARCA_TRY(file.size());
  return std::unique_ptr<BlobReader>(std::make_unique<FileBlobReader>(std::move(file), size));
}

Result<void> FsBlobStore::remove(const BlobId& id) {
  if (!is_valid_blob_id(id))
    return invalid_id();
  fs::path p = path_of(id);
  if (::unlink(p.c_str()) != 0)
    return errno_error(errno, "remove blob");
  return sync_directory(p.parent_path());
}

Result<void> FsBlobStore::list(const std::function<Result<void>(const BlobInfo&)>& visit) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_ / "objects", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    BlobId id(it->path().filename().string());
    if (!is_valid_blob_id(id))
      continue;
    struct stat st {};
    Clock::TimePoint modified{};
    std::uint64_t size = 0;
    if (::stat(it->path().c_str(), &st) == 0) {
      size = static_cast<std::uint64_t>(st.st_size);
      modified = Clock::TimePoint(std::chrono::duration_cast<Clock::TimePoint::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    }
    ARCA_TRY(visit(BlobInfo{id, modified, size}));
  }
  if (ec)
    return make_error(ErrorCode::kIo, "list blobs: " + ec.message());
  return ok();
}

Result<std::uint64_t> FsBlobStore::remove_incomplete() {
  std::uint64_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "tmp", ec)) {
    if (fs::remove(entry.path(), ec))
      ++removed;
  }
  if (ec)
    return make_error(ErrorCode::kIo, "sweep temp files: " + ec.message());
  return removed;
}

}  // namespace arca::store
