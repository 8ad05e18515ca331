#include "store/sqlite/sqlite_snapshot.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <string>

#include "core/file.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca::store {

namespace {

namespace fs = std::filesystem;

struct Kind {
  std::uint32_t application_id;
  std::string_view what;
};

Kind kind_of(SqliteDatabase kind) {
  switch (kind) {
    case SqliteDatabase::kIndex:
      return {sqlite::kIndexApplicationId, "index"};
    case SqliteDatabase::kAuditTrail:
      return {sqlite::kAuditApplicationId, "audit trail"};
    case SqliteDatabase::kKeyVault:
      return {sqlite::kVaultApplicationId, "key vault"};
  }
  return {0, "database"};
}

// One raw handle, closed on scope exit.
struct Handle {
  sqlite3* db = nullptr;
  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { sqlite3_close_v2(db); }
};

// Opens and keys a handle with `cipher` (sqlite_connection.h).
Result<void> open_keyed(Handle& h, const std::string& uri, int flags, const SecretBytes& key,
                        std::string_view cipher) {
  if (key.reveal().size() != 32)
    return make_error(ErrorCode::kInvalidArgument, "SQLite key must be 32 bytes");
  int rc =
      sqlite3_open_v2(uri.c_str(), &h.db, flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK)
    return sqlite::Connection::error(rc, "opening SQLite file");
  ARCA_TRY(sqlite::key_handle(h.db, cipher, key));
  sqlite3_extended_result_codes(h.db, 1);
  sqlite3_busy_timeout(h.db, 10000);
  return ok();
}

Result<std::int64_t> query_int(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  if (rc != SQLITE_OK)
    return sqlite::Connection::error(rc, "reading database");
  rc = sqlite3_step(st);
  std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sqlite::Connection::error(rc, "reading database");
  return v;
}

// The key opens it and it is ours: a wrong key reads as a foreign file.
Result<void> check_identity(sqlite3* db, const Kind& k) {
  const std::string wrong = "wrong key or not an Arca " + std::string(k.what);
  auto tables = query_int(db, "SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) {
    if (tables.error().code == ErrorCode::kPermissionDenied ||
        tables.error().code == ErrorCode::kCorruptIndex)
      return make_error(ErrorCode::kPermissionDenied, wrong);
    return tables.error();
  }
  auto id = ARCA_TRY(query_int(db, "PRAGMA application_id"));
  if (*tables == 0 || static_cast<std::uint32_t>(id) != k.application_id)
    return make_error(ErrorCode::kPermissionDenied, wrong);
  return ok();
}

// Opens an existing file of kind `k` for reading, in the page cipher or, for a file written
// before ADR 0022, the legacy one; returns the cipher that reads it.
Result<std::string_view> open_existing(Handle& h, const std::string& uri, const SecretBytes& key,
                                       const Kind& k) {
  ARCA_TRY(open_keyed(h, uri, SQLITE_OPEN_READONLY, key, sqlite::kPageCipher));
  auto checked = check_identity(h.db, k);
  if (checked.ok())
    return sqlite::kPageCipher;
  if (checked.error().code != ErrorCode::kPermissionDenied)
    return checked.error();
  sqlite3_close_v2(h.db);
  h.db = nullptr;
  ARCA_TRY(open_keyed(h, uri, SQLITE_OPEN_READONLY, key, sqlite::kLegacyPageCipher));
  if (!check_identity(h.db, k).ok())
    return checked.error();
  return sqlite::kLegacyPageCipher;
}

std::string file_uri(const fs::path& p, std::string_view query) {
  std::string uri = "file:";
  for (char c : p.string()) {  // percent-encode what a URI path cannot hold as is
    if (c == '%' || c == '?' || c == '#')
      uri += "%" + to_hex(ByteView(reinterpret_cast<const std::uint8_t*>(&c), 1));
    else
      uri += c;
  }
  uri += query;
  return uri;
}

Result<std::uint64_t> copy(const SnapshotRequest& request, const SecretBytes& key) {
  const Kind k = kind_of(request.kind);
  Handle src;
  // The copy keeps the source's cipher: SQLite's backup copies pages as they are laid out,
  // and the two ciphers reserve different room per page. Opening it migrates it later.
  auto cipher = ARCA_TRY(open_existing(src, file_uri(request.from, "?mode=ro"), key, k));
  Handle dst;
  ARCA_TRY(open_keyed(dst, file_uri(request.to, "?mode=rwc"),
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, key, cipher));
  ARCA_TRY(query_int(dst.db, "PRAGMA schema_version"));  // creates the (empty) file now
  if (::chmod(request.to.c_str(), 0600) != 0)
    return errno_error(errno, "chmod " + request.to.filename().string());
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (b == nullptr)
    return sqlite::Connection::error(sqlite3_errcode(dst.db), "starting the snapshot");
  int rc = sqlite3_backup_step(b, -1);  // one step: one read transaction, one consistent copy
  int fin = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE)
    return sqlite::Connection::error(rc, "copying the " + std::string(k.what));
  if (fin != SQLITE_OK)
    return sqlite::Connection::error(fin, "copying the " + std::string(k.what));
  char* message = nullptr;
  rc = sqlite3_exec(dst.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK)
    return sqlite::Connection::error(rc, "finishing the snapshot");
  ARCA_TRY(check_identity(dst.db, k));
  sqlite3_close_v2(dst.db);
  dst.db = nullptr;
  File f = ARCA_TRY(File::open(request.to, File::Mode::kReadWriteExisting));
  ARCA_TRY(f.sync());
  return f.size();
}

}  // namespace

Result<std::uint64_t> snapshot_database(const SnapshotRequest& request, const SecretBytes& key) {
  std::error_code ec;
  if (fs::exists(request.to, ec))
    return make_error(ErrorCode::kAlreadyExists, request.to.filename().string() + " exists");
  auto copied = copy(request, key);
  if (!copied.ok()) {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
      fs::remove(request.to.string() + suffix, ec);
  }
  return copied;
}

namespace {

// immutable: no lock, no journal, nothing written to the backup being read
Result<void> open_read_only(Handle& h, SqliteDatabase kind, const fs::path& file,
                            const SecretBytes& key) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return make_error(ErrorCode::kNotFound, file.filename().string() + " is missing");
  ARCA_TRY(open_existing(h, file_uri(file, "?mode=ro&immutable=1"), key, kind_of(kind)));
  return ok();
}

std::string text(sqlite3_stmt* st, int col) {
  const auto* t = sqlite3_column_text(st, col);
  return t == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(t),
                                    static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
}

}  // namespace

Result<void> check_database(SqliteDatabase kind, const std::filesystem::path& file,
                            const SecretBytes& key) {
  const Kind k = kind_of(kind);
  Handle h;
  ARCA_TRY(open_read_only(h, kind, file, key));
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(h.db, "PRAGMA quick_check", -1, &st, nullptr);
  if (rc != SQLITE_OK)
    return make_error(ErrorCode::kIntegrity, "the " + std::string(k.what) + " is damaged");
  rc = sqlite3_step(st);
  std::string first;
  if (rc == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st, 0);
    first = t == nullptr ? "" : reinterpret_cast<const char*>(t);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW || first != "ok")
    return make_error(ErrorCode::kIntegrity, "the " + std::string(k.what) + " is damaged");
  return ok();
}

Result<void> read_index_instances(const std::filesystem::path& file, const SecretBytes& key,
                                  const std::function<Result<void>(const StoredInstance&)>& visit) {
  Handle h;
  ARCA_TRY(open_read_only(h, SqliteDatabase::kIndex, file, key));
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(h.db,
                              "SELECT i.tenant, i.patient_ref, i.sop_uid, st.study_uid, i.blob, "
                              "i.size, i.sha256, i.received_ms FROM instances i "
                              "JOIN series se ON se.id = i.series "
                              "JOIN studies st ON st.id = se.study ORDER BY i.blob, i.id",
                              -1, &st, nullptr);
  if (rc != SQLITE_OK)
    return sqlite::Connection::error(rc, "reading the index");
  Result<void> result = ok();
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    StoredInstance row;
    row.tenant = TenantId(text(st, 0));
    row.patient_ref = PatientRef(text(st, 1));
    row.attributes.instance.sop_instance_uid = InstanceUid(text(st, 2));
    row.attributes.study.study_uid = StudyUid(text(st, 3));
    row.blob = BlobId(text(st, 4));
    row.size = static_cast<std::uint64_t>(sqlite3_column_int64(st, 5));
    row.sha256 = text(st, 6);
    row.received_ms = sqlite3_column_int64(st, 7);
    result = visit(row);
    if (!result.ok())
      break;
  }
  sqlite3_finalize(st);
  if (result.ok() && rc != SQLITE_DONE)
    return sqlite::Connection::error(rc, "reading the index");
  return result;
}

}  // namespace arca::store
