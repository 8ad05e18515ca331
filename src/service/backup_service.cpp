#include "service/backup_service.h"

#include <set>

#include "core/file.h"
#include "crypto/hash.h"
#include "service/audit_trail.h"
#include "service/authorize.h"
#include "service/backup_blob_list.h"

namespace arca::service {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kCopyBuffer = 1 << 20;

// Passes bytes on to a staged file, hashing and counting them.
class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(store::StagedFile& out) : out_(out) {}
  Result<void> write(ByteView data) override {
    hash_.update(data);
    size_ += data.size();
    return out_.write(data);
  }
  std::uint64_t size() const { return size_; }
  std::string digest() { return to_hex(hash_.finish()); }

 private:
  store::StagedFile& out_;
  crypto::Sha256 hash_;
  std::uint64_t size_ = 0;
};

// The manifest entry of a file (a snapshot written by SQLite into the staging directory).
Result<BackupFileEntry> manifest_entry(const fs::path& root, const std::string& relative) {
  FileDigest digest = ARCA_TRY(digest_file(root / relative));
  return BackupFileEntry{relative, digest.size, std::move(digest.sha256)};
}

// Copies one blob's stored bytes into the backup; returns its blobs.list entry.
Result<BlobListEntry> copy_blob(store::BlobStore& from, store::StagedDirectory& to,
                                const store::BlobId& id, Bytes& buffer) {
  auto reader = ARCA_TRY(from.open(id));
  auto file = ARCA_TRY(to.create_file(backup_blob_path(id)));
  HashingSink sink(*file);
  std::uint64_t offset = 0;
  while (offset < reader->size()) {
    std::size_t n = ARCA_TRY(reader->read_at(offset, buffer));
    if (n == 0)
      return make_error(ErrorCode::kIntegrity, "blob " + id.str() + " ended early");
    ARCA_TRY(sink.write(ByteView(buffer).first(n)));
    offset += n;
  }
  ARCA_TRY(file->commit());
  return BlobListEntry{id, sink.size(), sink.digest()};
}

Result<void> write_small(store::StagedDirectory& dir, const std::string& relative,
                         std::string_view text) {
  auto file = ARCA_TRY(dir.create_file(relative));
  ARCA_TRY(file->write(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
  return file->commit();
}

// A backup holds every tenant: only a system admin may make or read one.
Result<void> authorize_backup(const RequestContext& ctx) {
  ARCA_TRY(authorize(ctx, Permission::kAdminSettings));
  if (!ctx.principal.system_admin)
    return make_error(ErrorCode::kPermissionDenied, "backups require a system admin");
  return ok();
}

// "20261128T230501.123Z": unique for backups started at least a millisecond apart.
std::string compact_time(const Clock::TimePoint t) {
  std::string out;
  for (char c : format_utc_iso8601(t)) {
    if (c != '-' && c != ':')
      out += c;
  }
  return out;
}

std::string mode_name(BackupMode mode) {
  return mode == BackupMode::kOnline ? "online" : "offline";
}

}  // namespace

std::string backup_time_text(std::int64_t ms) {
  return format_utc_iso8601(Clock::TimePoint(std::chrono::milliseconds(ms)));
}

Result<BackupManifest> read_backup_manifest(const fs::path& dir, const SecretBytes& backup_key) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::kNotFound, dir.string() + " is not a directory");
  auto text = read_file(dir / kManifestFile, 64 << 20);
  if (!text.ok()) {
    if (text.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kNotFound,
                        "no manifest.json in " + dir.string() + ": not a complete Arca backup");
    return text.error();
  }
  auto mac = read_file(dir / kManifestMacFile, 1024);
  if (!mac.ok()) {
    if (mac.error().code == ErrorCode::kNotFound)
      return make_error(ErrorCode::kIntegrity, "manifest.hmac is missing: cannot authenticate");
    return mac.error();
  }
  return authenticate_manifest(backup_key, as_chars(*text), as_chars(*mac));
}

Result<BackupManifest> BackupService::write_backup(store::StagedDirectory& dir, BackupMode mode) {
  BackupManifest m;
  m.created_ms = to_unix_ms(deps_.clock.now());
  m.key_id = backup_key_id(deps_.backup_key);
  m.mode = mode_name(mode);
  // Reading the head first also moves records still in the audit journal into audit.db.
  m.audit_records = ARCA_TRY(deps_.audit_log.head()).seq;
  const fs::path root = dir.staging();
  (void)ARCA_TRY(deps_.storage.snapshot(BackupDatabase::kIndex, root / "index.db"));
  (void)ARCA_TRY(deps_.storage.snapshot(BackupDatabase::kAuditTrail, root / "audit.db"));
  m.files.push_back(ARCA_TRY(manifest_entry(root, "index.db")));
  m.files.push_back(ARCA_TRY(manifest_entry(root, "audit.db")));
  // The blobs the snapshot references, as stored, listed in blobs.list in id order (the index
  // copy is read in that order; rows sharing a blob are adjacent).
  auto list_file = ARCA_TRY(dir.create_file(std::string(kBlobListFile)));
  HashingSink list(*list_file);
  std::string previous;
  Bytes buffer(kCopyBuffer);
  ARCA_TRY(deps_.storage.read_index(
      root / "index.db", [&](const store::StoredInstance& row) -> Result<void> {
        ++m.instances;
        if (row.blob.str() == previous)
          return ok();
        previous = row.blob.str();
        auto entry = copy_blob(deps_.stored_blobs, dir, row.blob, buffer);
        if (!entry.ok() && entry.error().code == ErrorCode::kNotFound) {
          return make_error(ErrorCode::kConflict,
                            "blob " + row.blob.str() + " of instance " +
                                row.attributes.instance.sop_instance_uid.str() +
                                " went away during the backup (deleted meanwhile?): run it again");
        }
        BlobListEntry e = ARCA_TRY(std::move(entry));
        ++m.blobs;
        m.blob_bytes += e.size;
        return list.write(as_bytes(blob_list_line(e)));
      }));
  ARCA_TRY(list_file->commit());
  m.files.push_back({std::string(kBlobListFile), list.size(), list.digest()});
  const std::string text = serialize_manifest(m);
  ARCA_TRY(write_small(dir, std::string(kManifestFile), text));
  ARCA_TRY(write_small(dir, std::string(kManifestMacFile), manifest_mac(deps_.backup_key, text)));
  return m;
}

Result<BackupSummary> BackupService::create(const RequestContext& ctx, const fs::path& to,
                                            BackupMode mode) {
  ARCA_TRY(authorize_backup(ctx));
  auto result = [&]() -> Result<BackupSummary> {
    auto dir = ARCA_TRY(deps_.storage.stage(to));
    BackupManifest m = ARCA_TRY(write_backup(*dir, mode));
    ARCA_TRY(dir->publish());
    return BackupSummary{dir->final_dir(), std::move(m)};
  }();
  if (!result.ok()) {
    ARCA_TRY(audited(ctx, "backup create failed", &result.error()));
    if (result.error().code == ErrorCode::kOutOfSpace)
      return make_error(ErrorCode::kOutOfSpace, "the destination is full (" +
                                                    result.error().message + "); nothing was kept");
    return result;
  }
  const BackupManifest& m = result->manifest;
  auto recorded = audited(ctx,
                          "backup created (" + m.mode + "): " + std::to_string(m.instances) +
                              " instances, " + std::to_string(m.blobs) + " blobs, " +
                              std::to_string(m.blob_bytes) + " blob bytes, key id " + m.key_id,
                          nullptr);
  if (!recorded.ok()) {  // fail closed: no unaudited copy of the archive is left behind
    std::error_code ec;
    fs::remove_all(result->dir, ec);
    return recorded.error();
  }
  deps_.logger.info("backup created: " + std::to_string(m.instances) + " instances in " +
                    result->dir.string());
  return result;
}

Result<std::uint64_t> BackupService::export_keys(const RequestContext& ctx, const fs::path& to) {
  ARCA_TRY(authorize_backup(ctx));
  auto result = [&]() -> Result<std::uint64_t> {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(to, ec)))
      return make_error(ErrorCode::kAlreadyExists, to.string() + " already exists");
    fs::path parent = fs::absolute(to).parent_path();
    fs::path temp = parent / ("." + to.filename().string() + ".partial");
    fs::remove(temp, ec);
    auto size = deps_.storage.snapshot(BackupDatabase::kKeyVault, temp);
    if (!size.ok())
      return size;
    if (::rename(temp.c_str(), to.c_str()) != 0) {
      Error e = errno_error(errno, "rename into " + to.string());
      fs::remove(temp, ec);
      return e;
    }
    ARCA_TRY(sync_directory(parent));
    return size;
  }();
  ARCA_TRY(audited(ctx, result.ok() ? "key vault exported" : "key vault export failed",
                   result.ok() ? nullptr : &result.error()));
  return result;
}

Result<NamedBackup> BackupService::create_named(const RequestContext& ctx, const BackupDirs& dirs) {
  ARCA_TRY(authorize_backup(ctx));
  if (dirs.data.empty()) {
    return make_error(ErrorCode::kUnavailable,
                      "no backup directory configured ([backup] dir in arca.toml)");
  }
  std::unique_lock lock(running_, std::try_to_lock);
  if (!lock.owns_lock())
    return make_error(ErrorCode::kUnavailable, "a backup is already running");
  const std::string stamp = compact_time(deps_.clock.now());
  NamedBackup out;
  out.backup = ARCA_TRY(create(ctx, dirs.data / ("arca-backup-" + stamp), BackupMode::kOnline));
  if (!dirs.keys.empty()) {
    fs::path keys = dirs.keys / ("arca-keys-" + stamp);
    std::error_code ec;
    fs::create_directories(dirs.keys, ec);
    (void)ARCA_TRY(export_keys(ctx, keys));
    out.keys_file = keys;
  }
  if (dirs.keep > 0)
    rotate(ctx, dirs);
  return out;
}

// Removes the oldest server-made backups beyond dirs.keep. Only directories this archive
// wrote and can authenticate are candidates; a failure is logged and left for the next run.
void BackupService::rotate(const RequestContext& ctx, const BackupDirs& dirs) {
  const std::string prefix = "arca-backup-";
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dirs.data, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) == 0 && read_backup_manifest(it->path(), deps_.backup_key).ok())
      names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());  // the names sort by time
  const std::size_t keep = static_cast<std::size_t>(dirs.keep);
  for (std::size_t i = 0; i + keep < names.size(); ++i) {
    const std::string stamp = names[i].substr(prefix.size());
    fs::remove_all(dirs.data / names[i], ec);
    if (!dirs.keys.empty() && !ec)
      fs::remove(dirs.keys / ("arca-keys-" + stamp), ec);
    if (ec) {
      deps_.logger.warn("backup rotation: cannot remove " + names[i] + ": " + ec.message());
      return;
    }
    (void)audited(ctx, "backup removed by rotation: " + names[i], nullptr);
  }
}

Result<void> BackupService::audited(const RequestContext& ctx, std::string detail,
                                    const Error* error) {
  audit::AuditEvent event = audit_event(ctx, AuditAction::kBackup, deps_.clock);
  event.detail = std::move(detail);
  set_outcome(event, error);
  return record_or_refuse(deps_.recorder, event, deps_.logger);
}

}  // namespace arca::service
