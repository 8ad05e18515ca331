#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <string>

#include "store/sqlite/sqlite_functions.h"

namespace arca::store::sqlite {
namespace {

ErrorCode code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kUnavailable;
    case SQLITE_FULL:
      return ErrorCode::kOutOfSpace;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return ErrorCode::kIo;
    case SQLITE_CORRUPT:
      return ErrorCode::kCorruptIndex;
    case SQLITE_NOTADB:
    case SQLITE_AUTH:
    case SQLITE_PERM:
      return ErrorCode::kPermissionDenied;
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConflict;
    case SQLITE_TOOBIG:
      return ErrorCode::kTooLarge;
    case SQLITE_INTERRUPT:
      return ErrorCode::kCancelled;
    default:
      return ErrorCode::kInternal;
  }
}

// SQLite3MC's "raw:" key text, wiped when it goes out of scope.
class RawKey {
 public:
  explicit RawKey(const SecretBytes& key) : text_("raw:") { text_.append(as_chars(key.reveal())); }
  ~RawKey() { secure_wipe(text_.data(), text_.size()); }
  RawKey(const RawKey&) = delete;
  RawKey& operator=(const RawKey&) = delete;
  const char* data() const { return text_.data(); }
  int size() const { return static_cast<int>(text_.size()); }

 private:
  std::string text_;
};

Result<void> use_cipher(sqlite3* db, std::string_view cipher) {
  const std::string name(cipher);
  if (sqlite3mc_config(db, "cipher", sqlite3mc_cipher_index(name.c_str())) < 0)
    return make_error(ErrorCode::kInternal, "SQLite3MC cipher unavailable");
  return ok();
}

}  // namespace

Statement::Statement(Connection& conn, sqlite3_stmt* stmt, bool cached)
    : conn_(&conn), stmt_(stmt), cached_(cached) {}

Statement::Statement(Statement&& other) noexcept
    : conn_(other.conn_), stmt_(other.stmt_), cached_(other.cached_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr)
    return;
  if (cached_)
    reset();
  else
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
  if (value)
    sqlite3_bind_int64(stmt_, index, *value);
  else
    sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind_blob(int index, ByteView value) {
  sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_all(const std::vector<SqlValue>& values) {
  int i = 1;
  for (const auto& v : values) {
    if (const auto* n = std::get_if<std::int64_t>(&v))
      bind(i++, *n);
    else
      bind(i++, std::string_view(std::get<std::string>(v)));
  }
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  return Connection::error(rc, "index statement");
}

Result<void> Statement::run() {
  while (ARCA_TRY(step())) {
  }
  return ok();
}

std::string Statement::column_text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr)
    return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::int64_t Statement::column_int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::optional<std::int64_t> Statement::column_opt_int(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL)
    return std::nullopt;
  return sqlite3_column_int64(stmt_, col);
}

Bytes Statement::column_blob(int col) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
  return p == nullptr ? Bytes{} : Bytes(p, p + n);
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Error Connection::error(int rc, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += sqlite3_errstr(rc);
  return make_error(code_for(rc), std::move(message));
}

Result<void> key_handle(sqlite3* db, std::string_view cipher, const SecretBytes& key) {
  if (key.reveal().size() != 32)
    return make_error(ErrorCode::kInvalidArgument, "SQLite key must be 32 bytes");
  ARCA_TRY(use_cipher(db, cipher));
  RawKey raw(key);
  int rc = sqlite3_key_v2(db, "main", raw.data(), raw.size());
  if (rc != SQLITE_OK)
    return Connection::error(rc, "keying SQLite file");
  return ok();
}

Result<std::unique_ptr<Connection>> Connection::open(const ConnectionOptions& options,
                                                     const SecretBytes& key) {
  auto conn = open_with(options, key, kPageCipher);
  if (conn.ok() || conn.error().code != ErrorCode::kPermissionDenied)
    return conn;
  // Not readable with the page cipher: a wrong key, a foreign file, or a file written before
  // ADR 0022, whose pages are ChaCha20-Poly1305. The first error stands unless the legacy
  // cipher reads it.
  auto legacy = open_with(options, key, kLegacyPageCipher);
  if (!legacy.ok())
    return conn;
  if (options.mode == OpenMode::kReadOnly)
    return legacy;
  ARCA_TRY((*legacy)->reencrypt(key));
  legacy->reset();
  return open_with(options, key, kPageCipher);
}

Result<std::unique_ptr<Connection>> Connection::open_with(const ConnectionOptions& options,
                                                          const SecretBytes& key,
                                                          std::string_view cipher) {
  if (key.reveal().size() != 32)
    return make_error(ErrorCode::kInvalidArgument, "SQLite key must be 32 bytes");
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
              (options.mode == OpenMode::kReadOnly ? SQLITE_OPEN_READWRITE
                                                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(options.file.c_str(), &db, flags, nullptr);
  auto conn = std::make_unique<Connection>(db);
  if (rc != SQLITE_OK)
    return error(rc, "opening SQLite file");
  ARCA_TRY(conn->configure(options, key, cipher));
  ARCA_TRY(conn->check_identity(options));
  return conn;
}

Result<void> Connection::reencrypt(const SecretBytes& key) {
  // SQLite3MC rekeys only outside WAL mode; the rekey is a VACUUM under the rollback journal,
  // so a crash leaves the file wholly in one cipher or the other.
  ARCA_TRY(exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  ARCA_TRY(exec("PRAGMA journal_mode=DELETE"));
  ARCA_TRY(use_cipher(db_, kPageCipher));
  RawKey raw(key);
  int rc = sqlite3_rekey_v2(db_, "main", raw.data(), raw.size());
  if (rc != SQLITE_OK)
    return error(rc, "re-encrypting SQLite file");
  return exec("PRAGMA journal_mode=WAL");
}

Result<void> Connection::configure(const ConnectionOptions& options, const SecretBytes& key,
                                   std::string_view cipher) {
  ARCA_TRY(key_handle(db_, cipher, key));
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
  ARCA_TRY(register_functions(db_));
  return ok();
}

Result<void> Connection::check_identity(const ConnectionOptions& options) {
  std::string wrong = "wrong key or not an Arca " + std::string(options.what);
  auto tables = query_int("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok()) {
    if (tables.error().code == ErrorCode::kPermissionDenied ||
        tables.error().code == ErrorCode::kCorruptIndex)
      return make_error(ErrorCode::kPermissionDenied, wrong);
    return tables.error();
  }
  auto app_id = static_cast<std::uint32_t>(ARCA_TRY(query_int("PRAGMA application_id")));
  if (*tables > 0 && app_id != options.application_id)
    return make_error(ErrorCode::kCorruptIndex, wrong);
  if (*tables == 0 && options.page_size > 0)  // before WAL mode fixes it
    ARCA_TRY(exec("PRAGMA page_size=" + std::to_string(options.page_size)));
  ARCA_TRY(exec("PRAGMA journal_mode=WAL"));
  ARCA_TRY(
      exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
           "PRAGMA secure_delete=ON; PRAGMA journal_size_limit=67108864"));
  ARCA_TRY(exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib)));
  if (options.mode == OpenMode::kReadOnly)
    ARCA_TRY(exec("PRAGMA query_only=ON"));
  return ok();
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_)
    sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::cached(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it != cache_.end())
    return Statement(*this, it->second, true);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK)
    return error(rc, "preparing index statement");
  cache_.emplace(std::string(sql), stmt);
  return Statement(*this, stmt, true);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK)
    return error(rc, "preparing index query");
  return Statement(*this, stmt, false);
}

Result<void> Connection::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return error(rc, "executing index statement");
  return ok();
}

Result<void> Connection::sync_journal() {
  sqlite3_file* journal = nullptr;
  int rc = sqlite3_file_control(db_, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal);
  if (rc != SQLITE_OK)
    return error(rc, "finding the index journal");
  if (journal == nullptr || journal->pMethods == nullptr)
    return ok();  // no journal open: nothing committed through this connection is pending
  rc = journal->pMethods->xSync(journal, SQLITE_SYNC_FULL);
  if (rc != SQLITE_OK)
    return error(rc, "syncing the index journal");
  return ok();
}

Result<std::int64_t> Connection::query_int(std::string_view sql) {
  Statement st = ARCA_TRY(prepare(sql));
  if (!ARCA_TRY(st.step()))
    return make_error(ErrorCode::kInternal, "query returned no row");
  return st.column_int(0);
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

}  // namespace arca::store::sqlite
