#include "store/fs/backup_blob_files.h"

#include "core/file.h"
#include "store/fs/file_blob_reader.h"

namespace arca::store {

namespace fs = std::filesystem;

Result<std::unique_ptr<BlobWriter>> BackupBlobFiles::create(const BlobId&, const BlobScope&) {
  return make_error(ErrorCode::kPermissionDenied, "a backup is read-only");
}

Result<std::unique_ptr<BlobReader>> BackupBlobFiles::open(const BlobId& id) {
  if (!is_valid_blob_id(id))
    return make_error(ErrorCode::kInvalidArgument, "malformed blob id");
  File file = ARCA_TRY(File::open(dir_ / path_of_(id), File::Mode::kRead));
  std::uint64_t size = ARCA_TRY(file.size());
  return std::unique_ptr<BlobReader>(new FileBlobReader(std::move(file), size));
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
