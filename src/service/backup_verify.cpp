// BackupService::verify: the manifest's HMAC, every listed file's size and SHA-256, the two
// databases under this archive's keys, and every blob the index copy references decrypted and
// authenticated (AES-256-GCM) with this archive's key vault and compared with its index row.
#include <set>

#include "core/file.h"
#include "crypto/hash.h"
#include "service/audit_trail.h"
#include "service/authorize.h"
#include "service/backup_service.h"
#include "service/retrieve_service.h"

namespace arca::service {

namespace fs = std::filesystem;

namespace {

// What the file on disk is against its manifest entry; empty when it matches.
std::string file_problem(const fs::path& dir, const BackupFileEntry& entry) {
  std::error_code ec;
  const fs::path path = dir / entry.path;
  if (!fs::is_regular_file(fs::symlink_status(path, ec)))
    return "missing";
  auto size = fs::file_size(path, ec);
  if (ec)
    return "unreadable: " + ec.message();
  if (size != entry.size) {
    return "size " + std::to_string(size) + " bytes, the manifest says " +
           std::to_string(entry.size) + " (truncated or altered)";
  }
  auto source = FileSource::open(path);
  if (!source.ok())
    return "unreadable: " + source.error().message;
  crypto::Sha256 hash;
  Bytes buffer(1 << 20);
  for (;;) {
    auto n = source->read(buffer);
    if (!n.ok())
      return "unreadable: " + n.error().message;
    if (*n == 0)
      break;
    hash.update(ByteView(buffer).first(*n));
  }
  if (to_hex(hash.finish()) != entry.sha256)
    return "SHA-256 differs from the manifest (altered)";
  return {};
}

// Files present in the backup that its manifest does not list (added after it was made).
std::vector<std::string> unlisted_files(const fs::path& dir, const BackupManifest& m) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec))
      continue;
    std::string rel = it->path().lexically_relative(dir).generic_string();
    if (rel == kManifestFile || rel == kManifestMacFile || m.find(rel) != nullptr)
      continue;
    out.push_back(rel);
  }
  return out;
}

Result<void> read_through(store::BlobStore& blobs, const store::StoredInstance& row) {
  auto reader = ARCA_TRY(blobs.open(row.blob));
  VerifiedSource source(std::move(reader), row, Verify::kDigest);
  Bytes buffer(256 * 1024);
  while (ARCA_TRY(source.read(buffer)) != 0) {
  }
  return ok();
}

}  // namespace

Result<void> BackupService::check_blobs(const fs::path& dir, BackupVerifyReport& report) {
  std::set<std::string> bad_files;
  for (const auto& p : report.problems)
    bad_files.insert(p.subject);
  auto stored = deps_.storage.backup_blobs(dir);
  auto blobs = deps_.storage.decrypting(*stored);
  std::set<std::string> seen;
  std::set<std::string> erased;
  return deps_.storage.read_index(
      dir / "index.db", [&](const store::StoredInstance& row) -> Result<void> {
        const std::string path = backup_blob_path(row.blob);
        const std::string instance = "instance " + row.attributes.instance.sop_instance_uid.str();
        if (report.manifest.find(path) == nullptr) {
          report.problems.push_back({path, instance + " refers to this blob, not in the backup"});
          return ok();
        }
        if (bad_files.count(path) > 0 || !seen.insert(row.blob.str()).second)
          return ok();
        auto read = read_through(*blobs, row);
        if (read.ok()) {
          ++report.blobs_authenticated;
        } else if (read.error().code == ErrorCode::kNotFound) {
          // The file is there (checked above): the patient key is gone — crypto-shredded.
          ++report.erased_instances;
          if (erased.insert(row.patient_ref.str()).second)
            report.erased_patients.push_back(row.patient_ref);
        } else {
          report.problems.push_back(
              {path, instance + ": " + read.error().message + " (damaged or altered)"});
        }
        return ok();
      });
}

Result<BackupVerifyReport> BackupService::verify(const RequestContext& ctx, const fs::path& dir) {
  ARCA_TRY(authorize(ctx, Permission::kAdminSettings));
  if (!ctx.principal.system_admin)
    return make_error(ErrorCode::kPermissionDenied, "backups require a system admin");
  auto result = [&]() -> Result<BackupVerifyReport> {
    BackupVerifyReport report;
    report.manifest = ARCA_TRY(read_backup_manifest(dir, deps_.backup_key));
    for (const auto& entry : report.manifest.files) {
      ++report.files_checked;
      std::string problem = file_problem(dir, entry);
      if (!problem.empty())
        report.problems.push_back({entry.path, problem});
    }
    for (const auto& extra : unlisted_files(dir, report.manifest))
      report.problems.push_back({extra, "not listed in the manifest (added after the backup)"});
    const bool index_file_ok = [&] {
      for (const auto& p : report.problems) {
        if (p.subject == "index.db")
          return false;
      }
      return report.manifest.find("index.db") != nullptr;
    }();
    if (report.manifest.find("index.db") == nullptr)
      report.problems.push_back({"index.db", "not listed in the manifest"});
    if (report.manifest.find("audit.db") == nullptr)
      report.problems.push_back({"audit.db", "not listed in the manifest"});
    for (auto [db, name] : {std::pair{BackupDatabase::kIndex, "index.db"},
                            std::pair{BackupDatabase::kAuditTrail, "audit.db"}}) {
      if (report.manifest.find(name) == nullptr)
        continue;
      auto checked = deps_.storage.check(db, dir / name);
      if (!checked.ok() && checked.error().code != ErrorCode::kNotFound)
        report.problems.push_back({name, checked.error().message});
    }
    if (index_file_ok) {
      auto blobs = check_blobs(dir, report);
      if (!blobs.ok())
        report.problems.push_back({"index.db", "cannot be read: " + blobs.error().message});
    }
    return report;
  }();
  if (!result.ok()) {
    ARCA_TRY(audited(ctx, "backup verify failed", &result.error()));
    return result;
  }
  std::string detail = "backup verified (key id " + result->manifest.key_id + ", made " +
                       backup_time_text(result->manifest.created_ms) +
                       "): " + std::to_string(result->problems.size()) + " problems, " +
                       std::to_string(result->blobs_authenticated) + " blobs authenticated, " +
                       std::to_string(result->erased_instances) + " erased";
  Error failed = make_error(ErrorCode::kIntegrity, "backup damaged");
  ARCA_TRY(audited(ctx, std::move(detail), result->ok() ? nullptr : &failed));
  return result;
}

}  // namespace arca::service
