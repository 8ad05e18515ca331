// BackupService::verify: the manifest's HMAC, the size and SHA-256 of every file (index.db,
// audit.db, blobs.list, and each blob file against its blobs.list line), the two databases
// under this archive's keys, and every blob the index copy references decrypted and
// authenticated (AES-256-GCM) with this archive's key vault and compared with its index row.
// Everything is streamed: memory does not grow with the number of objects.
#include <algorithm>
#include <set>

#include "core/file.h"
#include "service/archive_maintenance.h"
#include "service/audit_trail.h"
#include "service/authorize.h"
#include "service/backup_blob_list.h"
#include "service/backup_service.h"

namespace arca::service {

namespace fs = std::filesystem;

namespace {

// What the file on disk is against its expected size and digest; empty when it matches.
std::string file_problem(const fs::path& path, std::uint64_t want_size,
                         const std::string& want_sha256) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path, ec)))
    return "missing";
  auto size = fs::file_size(path, ec);
  if (ec)
    return "unreadable: " + ec.message();
  if (size != want_size) {
    return "size " + std::to_string(size) + " bytes, the manifest says " +
           std::to_string(want_size) + " (truncated or altered)";
  }
  auto digest = digest_file(path);
  if (!digest.ok())
    return "unreadable: " + digest.error().message;
  if (digest->sha256 != want_sha256)
    return "SHA-256 differs from the manifest (altered)";
  return {};
}

// Sorted names of the entries of `dir` (empty if it does not exist).
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    out.push_back(it->path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct BlobFileCheck {
  const fs::path& dir;
  BackupVerifyReport& report;
  std::set<std::string>& bad;  // ids of blob files with a problem (few)

  void problem(const std::string& subject, std::string what) {
    report.problems.push_back({subject, std::move(what)});
  }

  // One blobs/<prefix>/ directory against the list's entries with that prefix (merge of two
  // sorted sequences).
  void prefix(const std::string& p, const std::vector<BlobListEntry>& entries) {
    std::vector<std::string> files = names_in(dir / "blobs" / p);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < entries.size() || j < files.size()) {
      const std::string rel_file = j < files.size() ? "blobs/" + p + "/" + files[j] : "";
      if (j == files.size() || (i < entries.size() && entries[i].id.str() < files[j])) {
        problem(backup_blob_path(entries[i].id), "missing");
        bad.insert(entries[i++].id.str());
      } else if (i == entries.size() || files[j] < entries[i].id.str()) {
        problem(rel_file, "not listed in the manifest (added after the backup)");
        ++j;
      } else {
        ++report.files_checked;
        std::string what = file_problem(dir / rel_file, entries[i].size, entries[i].sha256);
        if (!what.empty()) {
          problem(rel_file, std::move(what));
          bad.insert(entries[i].id.str());
        }
        ++i;
        ++j;
      }
    }
  }

  Result<void> run() {
    auto list = ARCA_TRY(BlobListReader::open(dir / kBlobListFile));
    std::optional<BlobListEntry> next = ARCA_TRY(list.next());
    for (const std::string& name : names_in(dir / "blobs")) {
      if (!is_lower_hex(name, 2) || !fs::is_directory(dir / "blobs" / name))
        problem("blobs/" + name, "not listed in the manifest (added after the backup)");
    }
    for (int n = 0; n < 256; ++n) {
      const std::uint8_t byte = static_cast<std::uint8_t>(n);
      const std::string p = to_hex(ByteView(&byte, 1));
      std::vector<BlobListEntry> entries;
      while (next && next->id.str().compare(0, 2, p) == 0) {
        entries.push_back(std::move(*next));
        next = ARCA_TRY(list.next());
      }
      prefix(p, entries);
    }
    return ok();
  }
};

}  // namespace

Result<void> BackupService::check_blobs(const fs::path& dir, BackupVerifyReport& report) {
  std::set<std::string> bad;
  auto files = BlobFileCheck{dir, report, bad}.run();
  if (!files.ok()) {
    report.problems.push_back({std::string(kBlobListFile), files.error().message});
    return ok();
  }
  auto stored = deps_.storage.backup_blobs(dir);
  auto blobs = deps_.storage.decrypting(*stored);
  auto list = ARCA_TRY(BlobListReader::open(dir / kBlobListFile));
  std::set<std::string> erased;
  std::string previous;
  bool previous_erased = false;
  return deps_.storage.read_index(
      dir / "index.db", [&](const store::StoredInstance& row) -> Result<void> {
        const std::string instance = "instance " + row.attributes.instance.sop_instance_uid.str();
        if (row.blob.str() == previous) {  // rows sharing a blob are adjacent
          report.erased_instances += previous_erased ? 1 : 0;
          return ok();
        }
        previous = row.blob.str();
        previous_erased = false;
        auto entry = ARCA_TRY(list.seek(row.blob));
        if (!entry || entry->id != row.blob) {
          report.problems.push_back(
              {backup_blob_path(row.blob), instance + " refers to this blob, not in the backup"});
          return ok();
        }
        if (bad.count(row.blob.str()) > 0)
          return ok();  // reported above
        auto read = verify_stored_object(*blobs, row);
        if (read.ok()) {
          ++report.blobs_authenticated;
        } else if (read.error().code == ErrorCode::kNotFound) {
          // The file is there (checked above): the patient key is gone — crypto-shredded.
          previous_erased = true;
          ++report.erased_instances;
          if (erased.insert(row.patient_ref.str()).second)
            report.erased_patients.push_back(row.patient_ref);
        } else {
          report.problems.push_back(
              {backup_blob_path(row.blob),
               instance + ": " + read.error().message + " (damaged or altered)"});
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
    std::set<std::string> bad;
    for (const std::string& name :
         {std::string("index.db"), std::string("audit.db"), std::string(kBlobListFile)}) {
      if (report.manifest.find(name) == nullptr) {
        report.problems.push_back({name, "not listed in the manifest"});
        bad.insert(name);
      }
    }
    for (const auto& entry : report.manifest.files) {
      ++report.files_checked;
      std::string problem = file_problem(dir / entry.path, entry.size, entry.sha256);
      if (!problem.empty()) {
        report.problems.push_back({entry.path, problem});
        bad.insert(entry.path);
      }
    }
    for (const std::string& name : names_in(dir)) {
      if (name != kManifestFile && name != kManifestMacFile && name != "blobs" &&
          report.manifest.find(name) == nullptr)
        report.problems.push_back({name, "not listed in the manifest (added after the backup)"});
    }
    for (auto [db, name] : {std::pair{BackupDatabase::kIndex, "index.db"},
                            std::pair{BackupDatabase::kAuditTrail, "audit.db"}}) {
      if (bad.count(name) > 0)
        continue;
      auto checked = deps_.storage.check(db, dir / name);
      if (!checked.ok()) {
        report.problems.push_back({name, checked.error().message});
        bad.insert(name);
      }
    }
    if (bad.count("index.db") == 0 && bad.count(std::string(kBlobListFile)) == 0) {
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
