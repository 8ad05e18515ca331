// ArchiveBackupStorage: service::BackupStorage over one archive's files — its SQLite3MC
// databases (snapshots and checks under the keys derived from its root key), FsStagedDirectory
// for new directories, BackupBlobFiles for a backup's blobs, and EncryptedBlobStore over the
// archive's key hierarchy to authenticate them (docs/adr/0019-backup-and-restore.md).
// Thread-safety: thread-safe (every call opens what it uses).
#pragma once

#include <filesystem>
#include <memory>

#include "core/random.h"
#include "core/secret.h"
#include "service/backup_service.h"
#include "store/encrypted/key_hierarchy.h"

namespace arca::app {

class ArchiveBackupStorage final : public service::BackupStorage {
 public:
  // `data_dir` holds the archive (index.db, audit.db, keys/vault.db); `root` is its root key.
  // `keys` (may be null: then decrypting() must not be called) and `random` must outlive this.
  static Result<std::unique_ptr<ArchiveBackupStorage>> create(std::filesystem::path data_dir,
                                                              const SecretBytes& root,
                                                              store::KeyHierarchy* keys,
                                                              Random& random);

  Result<std::unique_ptr<store::StagedDirectory>> stage(
      const std::filesystem::path& final_dir) override;
  Result<std::uint64_t> snapshot(service::BackupDatabase db,
                                 const std::filesystem::path& to) override;
  Result<void> check(service::BackupDatabase db, const std::filesystem::path& file) override;
  Result<void> read_index(
      const std::filesystem::path& file,
      const std::function<Result<void>(const store::StoredInstance&)>& visit) override;
  std::unique_ptr<store::BlobStore> backup_blobs(const std::filesystem::path& dir) override;
  std::unique_ptr<store::BlobStore> decrypting(store::BlobStore& stored) override;

  struct Keys {
    SecretBytes index;
    SecretBytes audit;
    SecretBytes vault;
  };
  ArchiveBackupStorage(std::filesystem::path data_dir, Keys keys, store::KeyHierarchy* hierarchy,
                       Random& random)
      : data_dir_(std::move(data_dir)),
        keys_(std::move(keys)),
        hierarchy_(hierarchy),
        random_(random) {}

 private:
  const SecretBytes& key_of(service::BackupDatabase db) const;

  std::filesystem::path data_dir_;
  Keys keys_;
  store::KeyHierarchy* hierarchy_;
  Random& random_;
};

}  // namespace arca::app
