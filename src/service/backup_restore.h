// Restore of a backup (docs/adr/0019-backup-and-restore.md) into a new, empty data directory,
// in two steps around the opening of the restored archive, which app/ wires:
//
//  1. copy_backup: authenticates the manifest, copies index.db, audit.db and every blob into the
//     staged directory, checking each file's size and SHA-256 as it is copied (any mismatch
//     stops the restore, nothing is published), and puts a key vault beside them: a vault
//     export (`arca backup keys`) or a snapshot of the current archive's vault. Blobs go into
//     the new archive's blob store as stored (they stay encrypted).
//  2. finish_restore, on the restored archive: decrypts and authenticates every instance with
//     the restored vault, removes the instances of patients whose key was erased since the
//     backup (crypto-shredded: they stay erased, and their index rows go too), and records
//     the restore in the restored archive's own audit trail, continuing its chain.
// Thread-safety: free functions, one restore at a time per target.
#pragma once

#include <filesystem>
#include <optional>

#include "auth/accounts.h"
#include "service/backup_service.h"

namespace arca::service {

struct RestoreRequest {
  std::filesystem::path from;                      // the backup directory
  std::optional<std::filesystem::path> keys_file;  // a vault export; else the current vault
};

struct RestoreCopy {
  BackupManifest manifest;
  std::uint64_t files_copied = 0;
  bool vault_from_export = false;
};

struct RestoreCopyDeps {
  BackupStorage& storage;  // the current archive's (keys, and its vault when no export)
  const SecretBytes& backup_key;
  Logger& logger;
};

// Step 1. `target` is the staged new data directory; `target_blobs` the new archive's blob
// store (as stored: no encryption layer), opened inside it.
Result<RestoreCopy> copy_backup(const RestoreCopyDeps& deps, const RestoreRequest& request,
                                store::StagedDirectory& target, store::BlobStore& target_blobs);

struct RestoreFinishDeps {
  store::Index& index;       // the restored archive's
  store::BlobStore& blobs;   // its blobs, decrypting
  auth::Accounts& accounts;  // its accounts
  audit::AuditRecorder& recorder;
  const Clock& clock;
  Logger& logger;
};

struct RestoreReport {
  std::uint64_t instances = 0;  // authenticated and kept
  std::uint64_t erased_instances = 0;
  std::uint64_t erased_patients = 0;
  // Credentials of the backup's time, ended: sessions deleted, API tokens revoked.
  std::int64_t sessions_ended = 0;
  std::int64_t tokens_revoked = 0;
  std::vector<BackupProblem> problems;  // damaged blobs: the restore is not published
};

// Step 2. Requires admin.settings. Records the restore (or its failure) in the trail. Damaged
// blobs are listed in the report (the caller must not publish); errors stop it. Every session
// and API token of the restored archive is ended: one revoked after the backup was made would
// otherwise work again.
Result<RestoreReport> finish_restore(const RequestContext& ctx, const RestoreFinishDeps& deps,
                                     const RestoreCopy& copy);

}  // namespace arca::service
