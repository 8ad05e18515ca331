// `arca restore --from DIR --data NEWDIR [--keys FILE]` (docs/adr/0019-backup-and-restore.md).
#include <ostream>

#include "app/archive_lock.h"
#include "app/backup_command.h"
#include "app/backup_storage.h"
#include "app/data_layout.h"
#include "crypto/key_provider.h"
#include "crypto/system_random.h"
#include "service/backup_restore.h"
#include "store/fs/fs_staged_directory.h"
#include "store/fs/pack_blob_store.h"

namespace arca::app {

namespace fs = std::filesystem;

namespace {

// Everything up to the opening of the restored archive: the backup's files into `target`.
Result<service::RestoreCopy> copy_step(const Config& config, Logger& logger, const BackupCli& cli,
                                       store::StagedDirectory& target, Random& random) {
  std::error_code ec;
  if (!fs::is_regular_file(config.key_file, ec)) {
    return make_error(ErrorCode::kNotFound,
                      "no root key at " + config.key_file.string() +
                          ": restore needs the root key the backup was made under (--key-file)");
  }
  crypto::FileKeyProvider provider(config.key_file, random);
  SecretBytes root = ARCA_TRY(provider.root_key());
  SecretBytes backup_key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kBackup));
  auto storage = ARCA_TRY(ArchiveBackupStorage::create(config.data_dir, root, nullptr, random));
  service::RestoreRequest request{cli.from, std::nullopt};
  std::optional<ArchiveLock> source_lock;  // the current vault is read under its archive's lock
  if (!cli.keys_file.empty()) {
    request.keys_file = fs::path(cli.keys_file);
  } else if (fs::is_regular_file(vault_file(config.data_dir), ec)) {
    auto lock = ArchiveLock::acquire(config.data_dir);
    if (!lock.ok()) {
      return make_error(lock.error().code,
                        "cannot read the current key vault in " + config.data_dir.string() + " (" +
                            lock.error().message +
                            "): pass --keys FILE, a vault export made by `arca backup keys` or "
                            "by the server's backups ([backup] keys_dir)");
    }
    source_lock.emplace(std::move(lock).value());
  }
  fs::path blobs = target.staging() / "blobs";
  fs::create_directories(blobs, ec);
  if (!ec)
    fs::permissions(blobs, fs::perms::owner_all, ec);
  if (ec)
    return errno_error(ec.value(), "create " + blobs.string());
  auto packs = ARCA_TRY(store::PackBlobStore::open(blobs));
  return service::copy_backup({*storage, backup_key, logger}, request, target, *packs);
}

}  // namespace

int run_restore(const Config& config, Logger& logger, const BackupCli& cli, std::ostream& out,
                std::ostream& err) {
  crypto::SystemRandom random;
  auto target = store::FsStagedDirectory::create(cli.data, random);
  if (!target.ok()) {
    err << "error: cannot restore into " << cli.data << ": " << target.error().message << '\n';
    return 1;
  }
  auto copy = copy_step(config, logger, cli, **target, random);
  if (!copy.ok()) {
    err << "error: restore stopped, nothing written to " << cli.data << ": " << copy.error().message
        << '\n';
    return 1;
  }
  Config restored = config;
  restored.data_dir = (*target)->staging();
  auto report = [&]() -> Result<service::RestoreReport> {
    auto archive = ARCA_TRY(Archive::open(restored, logger));
    SystemClock clock;
    return service::finish_restore(
        service::console_context(),
        {archive->index(), archive->blobs(), archive->accounts().accounts(),
         archive->audit_recorder(), clock, logger},
        *copy);
  }();
  if (!report.ok()) {
    err << "error: restore stopped, nothing written to " << cli.data << ": "
        << report.error().message << '\n';
    return 1;
  }
  for (const auto& p : report->problems)
    err << "bad: " << p.subject << ": " << p.problem << '\n';
  if (!report->problems.empty()) {
    err << "error: restore stopped, nothing written to " << cli.data << ": "
        << report->problems.size() << " damaged objects in the backup\n";
    return 1;
  }
  auto published = (*target)->publish();
  if (!published.ok()) {
    err << "error: restore not published: " << published.error().message << '\n';
    return 1;
  }
  out << "restored " << report->instances << " instances into " << cli.data << " (backup made "
      << service::backup_time_text(copy->manifest.created_ms) << ")";
  if (report->erased_instances > 0) {
    out << "; " << report->erased_instances << " instances of " << report->erased_patients
        << " patients erased since the backup were left out";
  }
  out << "\nsigned out everywhere: " << report->sessions_ended << " sessions ended and "
      << report->tokens_revoked
      << " API tokens revoked (a credential revoked after the backup would work again); users "
         "sign in again, issue new tokens to services\n";
  out << "start it with: arca serve --data-dir " << cli.data << '\n';
  return 0;
}

}  // namespace arca::app
