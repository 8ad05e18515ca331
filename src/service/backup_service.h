// Backups and restore (docs/adr/0019-backup-and-restore.md, docs/formats/backup.md): the use
// cases behind `arca backup create|verify|keys|list`, `arca restore` and
// `POST /api/v1/admin/backups`. Each requires admin.settings from a system admin (a backup
// holds every tenant) and records an audit event
// (action "backup" or "restore") with its outcome and counts; nothing it logs, reports or
// writes in clear names a patient (blob ids, UIDs and opaque refs only).
//
// A backup is a directory: consistent snapshots of the index and the audit trail (encrypted as
// on disk), every indexed blob as stored (encrypted), and a manifest of every file's size and
// SHA-256, HMAC-signed under the backup key. The key vault is never in it: `export_keys` writes
// the vault (still encrypted) to a file of its own, kept apart.
// Thread-safety: a BackupService may be used by several threads; one backup at a time is the
// caller's business (each writes its own directory).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/backup_manifest.h"
#include "service/request_context.h"
#include "store/index.h"
#include "store/staged_directory.h"

namespace arca::service {

enum class BackupDatabase { kIndex, kAuditTrail, kKeyVault };
enum class BackupMode { kOffline, kOnline };

// What backup and restore need from the archive's files and keys, so the use cases know no file
// layout or driver. Implemented in app/ (app/backup_storage.h) over store/fs, store/sqlite and
// store/encrypted.
class BackupStorage {
 public:
  virtual ~BackupStorage() = default;
  // A new directory staged beside `final_dir` (store/staged_directory.h).
  virtual Result<std::unique_ptr<store::StagedDirectory>> stage(
      const std::filesystem::path& final_dir) = 0;
  // Writes a consistent copy of the archive's database, encrypted as on disk, to `to` (which
  // must not exist); returns its size.
  virtual Result<std::uint64_t> snapshot(BackupDatabase db, const std::filesystem::path& to) = 0;
  // `file` is an intact copy of such a database that opens under this archive's key.
  virtual Result<void> check(BackupDatabase db, const std::filesystem::path& file) = 0;
  // Every instance row of an index copy, read-only.
  virtual Result<void> read_index(
      const std::filesystem::path& file,
      const std::function<Result<void>(const store::StoredInstance&)>& visit) = 0;
  // The blobs of a backup directory as stored (read-only).
  virtual std::unique_ptr<store::BlobStore> backup_blobs(const std::filesystem::path& dir) = 0;
  // `stored`, decrypted and authenticated with this archive's key vault.
  virtual std::unique_ptr<store::BlobStore> decrypting(store::BlobStore& stored) = 0;
};

struct BackupDeps {
  BackupStorage& storage;
  store::BlobStore& stored_blobs;  // the archive's blobs as stored (encrypted bytes)
  store::AuditLogReader& audit_log;
  audit::AuditRecorder& recorder;
  const Clock& clock;
  Logger& logger;
  const SecretBytes& backup_key;  // crypto::KeyPurpose::kBackup
};

struct BackupSummary {
  std::filesystem::path dir;
  BackupManifest manifest;
};

// One thing wrong with a backup: `subject` is a file of the backup ("blobs/ab/ab12…",
// "index.db") or "instance <UID>"; `problem` says what, in plain words.
struct BackupProblem {
  std::string subject;
  std::string problem;
};

struct BackupVerifyReport {
  BackupManifest manifest;
  std::uint64_t files_checked = 0;
  std::uint64_t blobs_authenticated = 0;
  // Instances whose patient key was erased (crypto-shredded): unreadable by design.
  std::uint64_t erased_instances = 0;
  std::vector<PatientRef> erased_patients;
  std::vector<BackupProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Where the server writes the backups it makes while running ([backup] in arca.toml): chosen by
// the operator, never by a request.
struct BackupDirs {
  std::filesystem::path data;  // each backup: <data>/arca-backup-<UTC time, ms>
  std::filesystem::path keys;  // if set: the vault export <keys>/arca-keys-<UTC time>
  // Above 0: after a successful backup, only the newest `keep` authentic backups named so in
  // `data` (and their vault exports) are kept; older ones are removed.
  int keep = 0;
};

struct NamedBackup {
  BackupSummary backup;
  std::optional<std::filesystem::path> keys_file;
};

class BackupService {
 public:
  explicit BackupService(BackupDeps deps) : deps_(deps) {}

  // Writes a full backup of the archive to the new directory `to` (refused if it exists and is
  // not empty). The directory appears only once complete and synced.
  Result<BackupSummary> create(const RequestContext& ctx, const std::filesystem::path& to,
                               BackupMode mode);
  // Checks a backup against its manifest and this archive's keys. An error for what stops the
  // check (no manifest, a manifest that fails its HMAC, another root key); otherwise a report
  // listing every problem found.
  Result<BackupVerifyReport> verify(const RequestContext& ctx, const std::filesystem::path& dir);
  // Writes the key vault (still encrypted under the root key) to the new file `to`.
  Result<std::uint64_t> export_keys(const RequestContext& ctx, const std::filesystem::path& to);
  // The running server's backup (online): a backup named by the time in `dirs.data`, and the
  // vault exported to `dirs.keys` if set. kUnavailable when no directory is configured or
  // another backup is running.
  Result<NamedBackup> create_named(const RequestContext& ctx, const BackupDirs& dirs);

 private:
  Result<BackupManifest> write_backup(store::StagedDirectory& dir, BackupMode mode);
  Result<void> check_blobs(const std::filesystem::path& dir, BackupVerifyReport& report);
  Result<void> audited(const RequestContext& ctx, std::string detail, const Error* error);
  void rotate(const RequestContext& ctx, const BackupDirs& dirs);

  BackupDeps deps_;
  std::mutex running_;  // one server-made backup at a time
};

// Reads and authenticates the manifest of the backup in `dir` (kNotFound if there is none).
Result<BackupManifest> read_backup_manifest(const std::filesystem::path& dir,
                                            const SecretBytes& backup_key);

// "2026-11-28T23:05:01Z"
std::string backup_time_text(std::int64_t ms);

}  // namespace arca::service
