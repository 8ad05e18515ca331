#include "store/fs/backup_blob_files.h"

#include "core/file.h"

namespace arca::store {

namespace fs = std::filesystem;

namespace {

class FileReader final : public BlobReader {
 public:
  FileReader(File file, std::uint64_t size) : file_(std::move(file)), size_(size) {}
  std::uint64_t size() const override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) override {
    std::size_t done = 0;
    while (done < out.size() && offset + done < size_) {
      std::size_t n = ARCA_TRY(file_.read_at(offset + done, out.subspan(done)));
      if (n == 0)
        break;
      done += n;
    }
    return done;
  }

 private:
  File file_;
  std::uint64_t size_;
};

}  // namespace

Result<std::unique_ptr<BlobWriter>> BackupBlobFiles::create(const BlobId&, const BlobScope&) {
  return make_error(ErrorCode::kPermissionDenied, "a backup is read-only");
}

Result<std::unique_ptr<BlobReader>> BackupBlobFiles::open(const BlobId& id) {
  if (!is_valid_blob_id(id))
    return make_error(ErrorCode::kInvalidArgument, "malformed blob id");
  File file = ARCA_TRY(File::open(dir_ / path_of_(id), File::Mode::kRead));
  std::uint64_t size = ARCA_TRY(file.size());
  return std::unique_ptr<BlobReader>(new FileReader(std::move(file), size));
}

Result<void> BackupBlobFiles::remove(const BlobId&) {
  return make_error(ErrorCode::kPermissionDenied, "a backup is read-only");
}

Result<void> BackupBlobFiles::list(const std::function<Result<void>(const BlobInfo&)>& visit) {
  std::error_code ec;
  fs::path root = dir_ / "blobs";
  if (!fs::is_directory(root, ec))
    return ok();
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    BlobInfo info;
    info.id = BlobId(it->path().filename().string());
    if (!is_valid_blob_id(info.id))
      continue;
    info.stored_size = it->file_size(ec);
    ARCA_TRY(visit(info));
  }
  if (ec)
    return errno_error(ec.value(), "list backup blobs");
  return ok();
}

}  // namespace arca::store
