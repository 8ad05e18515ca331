// BackupBlobFiles: the blobs of a backup directory (docs/formats/backup.md), one file per blob,
// holding the blob's bytes exactly as the archive stored
// them (the encrypted blob format, docs/formats/blob.md). A read-only BlobStore, so the
// EncryptedBlobStore decorator can authenticate a backup's blobs without copying them anywhere:
// create() and remove() fail with kPermissionDenied; remove_incomplete() does nothing.
// Thread-safety: thread-safe; readers are used by one thread at a time.
#pragma once

#include <filesystem>
#include <string>

#include "store/blob_store.h"

namespace arca::store {

class BackupBlobFiles final : public BlobStore {
 public:
  // `path_of` names a blob's file relative to `backup_dir` (the backup format's layout).
  BackupBlobFiles(std::filesystem::path backup_dir,
                  std::function<std::string(const BlobId&)> path_of)
      : dir_(std::move(backup_dir)), path_of_(std::move(path_of)) {}

  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override;
  // kNotFound if the file is missing.
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override;
  Result<void> remove(const BlobId& id) override;
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override;
  Result<std::uint64_t> remove_incomplete() override { return std::uint64_t{0}; }

 private:
  std::filesystem::path dir_;
  std::function<std::string(const BlobId&)> path_of_;
};

}  // namespace arca::store
