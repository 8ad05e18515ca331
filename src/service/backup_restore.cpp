#include "service/backup_restore.h"

#include <set>

#include "core/file.h"
#include "service/archive_maintenance.h"
#include "service/audit_trail.h"
#include "service/authorize.h"
#include "service/backup_blob_list.h"

namespace arca::service {

namespace fs = std::filesystem;

namespace {

class NullSink final : public ByteSink {
 public:
  Result<void> write(ByteView) override { return ok(); }
};

// Copies `from` into `out` while hashing; the copy must match `entry` or the restore stops.
Result<void> copy_checked(const fs::path& from, const BackupFileEntry& entry, ByteSink& out) {
  auto digest = digest_file(from, &out, entry.size);
  if (!digest.ok()) {
    if (digest.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kIntegrity, entry.path + " is missing from the backup");
    return digest.error();
  }
  if (digest->size != entry.size || digest->sha256 != entry.sha256) {
    return make_error(ErrorCode::kIntegrity,
                      entry.path + " does not match the manifest (size or SHA-256): altered");
  }
  return ok();
}

Result<void> copy_file(const fs::path& dir, const BackupManifest& m, const std::string& name,
                       store::StagedDirectory& target) {
  const BackupFileEntry* entry = m.find(name);
  if (entry == nullptr)
    return make_error(ErrorCode::kIntegrity, name + " is not in the backup's manifest");
  auto file = ARCA_TRY(target.create_file(name));
  ARCA_TRY(copy_checked(dir / name, *entry, *file));
  return file->commit();
}

Result<void> copy_vault(const RestoreCopyDeps& deps, const RestoreRequest& request,
                        store::StagedDirectory& target) {
  const fs::path to = target.staging() / "keys" / "vault.db";
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec)
    return errno_error(ec.value(), "create keys directory");
  fs::permissions(to.parent_path(), fs::perms::owner_all, ec);
  if (!request.keys_file) {
    auto size = deps.storage.snapshot(BackupDatabase::kKeyVault, to);
    if (!size.ok() && size.error().code == ErrorCode::kNotFound) {
      return make_error(ErrorCode::kNotFound,
                        "no key vault to restore with: pass --keys FILE (made by `arca backup "
                        "keys`), or run on the machine whose archive holds the current vault");
    }
    return size.ok() ? ok() : Result<void>(size.error());
  }
  ARCA_TRY(deps.storage.check(BackupDatabase::kKeyVault, *request.keys_file));
  auto out = ARCA_TRY(target.create_file("keys/vault.db"));
  Bytes data = ARCA_TRY(read_file(*request.keys_file, std::size_t{1} << 30));
  ARCA_TRY(out->write(data));
  return out->commit();
}

}  // namespace

Result<RestoreCopy> copy_backup(const RestoreCopyDeps& deps, const RestoreRequest& request,
                                store::StagedDirectory& target, store::BlobStore& target_blobs) {
  RestoreCopy copy;
  copy.manifest = ARCA_TRY(read_backup_manifest(request.from, deps.backup_key));
  copy.vault_from_export = request.keys_file.has_value();
  ARCA_TRY(copy_file(request.from, copy.manifest, "index.db", target));
  ARCA_TRY(copy_file(request.from, copy.manifest, "audit.db", target));
  ARCA_TRY(deps.storage.check(BackupDatabase::kIndex, target.staging() / "index.db"));
  ARCA_TRY(deps.storage.check(BackupDatabase::kAuditTrail, target.staging() / "audit.db"));
  ARCA_TRY(copy_vault(deps, request, target));
  copy.files_copied = 2;
  // blobs.list first, checked whole; then each blob the index references against its line.
  const BackupFileEntry* list_entry = copy.manifest.find(std::string(kBlobListFile));
  if (list_entry == nullptr)
    return make_error(ErrorCode::kIntegrity, "blobs.list is not in the backup's manifest");
  NullSink discard;
  ARCA_TRY(copy_checked(request.from / kBlobListFile, *list_entry, discard));
  auto list = ARCA_TRY(BlobListReader::open(request.from / kBlobListFile));
  std::string previous;
  ARCA_TRY(deps.storage.read_index(
      target.staging() / "index.db", [&](const store::StoredInstance& row) -> Result<void> {
        if (row.blob.str() == previous)  // rows sharing a blob are adjacent
          return ok();
        previous = row.blob.str();
        const std::string path = backup_blob_path(row.blob);
        auto entry = ARCA_TRY(list.seek(row.blob));
        if (!entry || entry->id != row.blob)
          return make_error(ErrorCode::kIntegrity, path + " is not in the backup's blobs.list");
        auto writer = ARCA_TRY(target_blobs.create(row.blob, {row.tenant, row.patient_ref}));
        ARCA_TRY(copy_checked(request.from / path, {path, entry->size, entry->sha256}, *writer));
        ARCA_TRY(writer->commit());
        ++copy.files_copied;
        return ok();
      }));
  deps.logger.info("restore: copied " + std::to_string(copy.files_copied) + " files");
  return copy;
}

Result<RestoreReport> finish_restore(const RequestContext& ctx, const RestoreFinishDeps& deps,
                                     const RestoreCopy& copy) {
  ARCA_TRY(authorize(ctx, Permission::kAdminSettings));
  RestoreReport report;
  std::vector<store::StoredInstance> erased;
  std::set<std::string> erased_patients;
  auto checked =
      deps.index.for_each_instance([&](const store::StoredInstance& row) -> Result<void> {
        auto read = verify_stored_object(deps.blobs, row);
        if (read.ok()) {
          ++report.instances;
        } else if (read.error().code == ErrorCode::kNotFound) {  // the blob is there: key erased
          erased.push_back(row);
          erased_patients.insert(row.patient_ref.str());
        } else {
          report.problems.push_back({backup_blob_path(row.blob),
                                     "instance " + row.attributes.instance.sop_instance_uid.str() +
                                         ": " + read.error().message});
        }
        return ok();
      });
  Result<void> outcome = checked;
  if (outcome.ok() && report.problems.empty() && !erased.empty()) {
    outcome = [&]() -> Result<void> {  // crypto-shredded patients stay gone, rows included
      auto tx = ARCA_TRY(deps.index.begin());
      for (const auto& row : erased)
        (void)ARCA_TRY(tx->remove_instance(row.tenant, row.attributes.instance.sop_instance_uid));
      ARCA_TRY(tx->commit());
      for (const auto& row : erased)
        (void)deps.blobs.remove(row.blob);
      return ok();
    }();
  }
  if (outcome.ok() && report.problems.empty()) {
    auto ended = deps.accounts.end_all_credentials();
    if (ended.ok()) {
      report.sessions_ended = ended->sessions;
      report.tokens_revoked = ended->tokens;
    } else {
      outcome = ended.error();
    }
  }
  report.erased_instances = erased.size();
  report.erased_patients = erased_patients.size();
  const Error damaged = make_error(ErrorCode::kIntegrity, "damaged blobs in the backup");
  const Error* failure = !outcome.ok()              ? &outcome.error()
                         : !report.problems.empty() ? &damaged
                                                    : nullptr;
  audit::AuditEvent event = audit_event(ctx, AuditAction::kRestore, deps.clock);
  event.detail = "restored backup made " + backup_time_text(copy.manifest.created_ms) +
                 " (key id " + copy.manifest.key_id + ", vault " +
                 (copy.vault_from_export ? "from an export" : "of the current archive") +
                 "): " + std::to_string(report.instances) + " instances, " +
                 std::to_string(report.erased_instances) + " erased instances of " +
                 std::to_string(report.erased_patients) + " patients removed; " +
                 std::to_string(report.sessions_ended) + " sessions ended, " +
                 std::to_string(report.tokens_revoked) + " API tokens revoked";
  for (const auto& p : erased_patients)
    add_unique(event.patients, PatientRef(p));
  set_outcome(event, failure);
  ARCA_TRY(record_or_refuse(deps.recorder, event, deps.logger));
  if (!outcome.ok())
    return outcome.error();
  return report;
}

}  // namespace arca::service
