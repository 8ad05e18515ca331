#include "app/backup_storage.h"

#include "app/data_layout.h"
#include "crypto/key_provider.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/fs/backup_blob_files.h"
#include "store/fs/fs_staged_directory.h"
#include "store/sqlite/sqlite_snapshot.h"

namespace arca::app {

namespace fs = std::filesystem;

namespace {

store::SqliteDatabase kind_of(service::BackupDatabase db) {
  switch (db) {
    case service::BackupDatabase::kIndex:
      return store::SqliteDatabase::kIndex;
    case service::BackupDatabase::kAuditTrail:
      return store::SqliteDatabase::kAuditTrail;
    case service::BackupDatabase::kKeyVault:
      return store::SqliteDatabase::kKeyVault;
  }
  return store::SqliteDatabase::kIndex;
}

fs::path file_of(const fs::path& data_dir, service::BackupDatabase db) {
  switch (db) {
    case service::BackupDatabase::kIndex:
      return index_file(data_dir);
    case service::BackupDatabase::kAuditTrail:
      return audit_file(data_dir);
    case service::BackupDatabase::kKeyVault:
      return vault_file(data_dir);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<ArchiveBackupStorage>> ArchiveBackupStorage::create(
    fs::path data_dir, const SecretBytes& root, store::KeyHierarchy* keys, Random& random) {
  Keys k{ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kIndex)),
         ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kAuditLog)),
         ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kVault))};
  return std::make_unique<ArchiveBackupStorage>(std::move(data_dir), std::move(k), keys, random);
}

const SecretBytes& ArchiveBackupStorage::key_of(service::BackupDatabase db) const {
  switch (db) {
    case service::BackupDatabase::kIndex:
      return keys_.index;
    case service::BackupDatabase::kAuditTrail:
      return keys_.audit;
    case service::BackupDatabase::kKeyVault:
      return keys_.vault;
  }
  return keys_.index;
}

Result<std::unique_ptr<store::StagedDirectory>> ArchiveBackupStorage::stage(
    const fs::path& final_dir) {
  return store::FsStagedDirectory::create(final_dir, random_);
}

Result<std::uint64_t> ArchiveBackupStorage::snapshot(service::BackupDatabase db,
                                                     const fs::path& to) {
  const fs::path from = file_of(data_dir_, db);
  std::error_code ec;
  if (!fs::is_regular_file(from, ec))
    return make_error(ErrorCode::kNotFound, "no " + from.string());
  return store::snapshot_database({kind_of(db), from, to}, key_of(db));
}

Result<void> ArchiveBackupStorage::check(service::BackupDatabase db, const fs::path& file) {
  return store::check_database(kind_of(db), file, key_of(db));
}

Result<void> ArchiveBackupStorage::read_index(
    const fs::path& file, const std::function<Result<void>(const store::StoredInstance&)>& visit) {
  return store::read_index_instances(file, keys_.index, visit);
}

std::unique_ptr<store::BlobStore> ArchiveBackupStorage::backup_blobs(const fs::path& dir) {
  return std::make_unique<store::BackupBlobFiles>(dir, service::backup_blob_path);
}

std::unique_ptr<store::BlobStore> ArchiveBackupStorage::decrypting(store::BlobStore& stored) {
  return std::make_unique<store::EncryptedBlobStore>(stored, *hierarchy_, random_);
}

}  // namespace arca::app
