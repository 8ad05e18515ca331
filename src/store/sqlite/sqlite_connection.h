// Internal to store/sqlite: RAII wrappers over one SQLite3MC connection and its prepared
// statements, and the one place SQLite result codes become Arca errors. Only forward
// declarations of SQLite's types appear here, so nothing outside this folder sees SQLite
// (STYLE rule 2).
//
// Encryption: every connection uses SQLite3MC's "aegis" cipher (AEGIS-256, an AES-based AEAD:
// each page encrypted with its own nonce and a tag, so tampered or wrongly keyed pages fail to
// read; docs/adr/0022), keyed with the caller's 32 raw key bytes ("raw:" syntax, no password
// KDF: the key is already 256 uniformly random bits derived from the root key). Files written
// before ADR 0022 use "chacha20" (ChaCha20-Poly1305 pages); open() reads them and re-encrypts
// them with AEGIS-256 when it may write.
// Thread-safety: a Connection and its Statements are used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/result.h"
#include "core/secret.h"

struct sqlite3;
struct sqlite3_stmt;

namespace arca::store::sqlite {

// The page cipher of every Arca database, and the one files written before ADR 0022 use.
inline constexpr std::string_view kPageCipher = "aegis";
inline constexpr std::string_view kLegacyPageCipher = "chacha20";

// Keys an open handle with `cipher` and the 32 raw key bytes.
Result<void> key_handle(sqlite3* db, std::string_view cipher, const SecretBytes& key);

// A value bound to a statement parameter.
using SqlValue = std::variant<std::int64_t, std::string>;

class Connection;

// A prepared statement. step() yields true while there is a row.
class Statement {
 public:
  Statement(Connection& conn, sqlite3_stmt* stmt, bool cached);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::optional<std::int64_t> value);
  Statement& bind_blob(int index, ByteView value);
  Statement& bind_all(const std::vector<SqlValue>& values);

  // Advances; true if a row is available. Errors carry `context_`.
  Result<bool> step();
  // Runs to completion (for statements without rows).
  Result<void> run();

  std::string column_text(int col) const;
  std::int64_t column_int(int col) const;
  std::optional<std::int64_t> column_opt_int(int col) const;
  Bytes column_blob(int col) const;

  // Resets and clears bindings so the statement can be reused.
  void reset();

 private:
  Connection* conn_;
  sqlite3_stmt* stmt_;
  bool cached_;
};

enum class OpenMode { kReadWrite, kReadOnly };

struct ConnectionOptions {
  std::filesystem::path file;
  OpenMode mode = OpenMode::kReadWrite;
  int busy_timeout_ms = 5000;
  int cache_kib = 2048;              // page cache (decrypted pages) of this connection
  std::uint32_t application_id = 0;  // expected PRAGMA application_id of a non-empty file
  std::string_view what;             // "index" or "key vault", for messages
  int page_size = 0;                 // of a file created now (0: SQLite's default, 4096)
};

class Connection {
 public:
  // Opens (creating if missing, for kReadWrite), keys, and checks the key by reading the
  // schema: a wrong key or a foreign file fails with kPermissionDenied "wrong key or not an
  // Arca <what>". Sets WAL, synchronous=FULL, foreign_keys, busy_timeout, temp_store=MEMORY.
  // A file in the legacy cipher is read as such; kReadWrite re-encrypts it first (which needs
  // no other connection to have it open).
  static Result<std::unique_ptr<Connection>> open(const ConnectionOptions& options,
                                                  const SecretBytes& key);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A statement kept prepared for the connection's lifetime; `sql` must be a constant.
  Result<Statement> cached(std::string_view sql);
  // A one-off statement.
  Result<Statement> prepare(std::string_view sql);
  // Runs one or more statements without parameters.
  Result<void> exec(std::string_view sql);
  Result<std::int64_t> query_int(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  // Number of rows changed by the last statement.
  std::int64_t changes() const;
  // Makes every transaction committed so far durable: fsyncs this connection's journal (the
  // WAL), as a commit under synchronous=FULL would have. For commits made under
  // synchronous=NORMAL, which are visible and survive a process crash but not yet a power loss.
  Result<void> sync_journal();

  // An Error for SQLite result code `rc`; messages are SQLite's generic text (never values).
  static Error error(int rc, std::string_view context);

  // Takes ownership of an open handle; use open().
  explicit Connection(sqlite3* db) : db_(db) {}

 private:
  static Result<std::unique_ptr<Connection>> open_with(const ConnectionOptions& options,
                                                       const SecretBytes& key,
                                                       std::string_view cipher);
  // Rewrites every page of a legacy-cipher file in kPageCipher.
  Result<void> reencrypt(const SecretBytes& key);
  Result<void> configure(const ConnectionOptions& options, const SecretBytes& key,
                         std::string_view cipher);
  Result<void> check_identity(const ConnectionOptions& options);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Runs body() inside BEGIN IMMEDIATE .. COMMIT, rolling back if it or the commit fails. BEGIN
// and COMMIT are cached statements: parsing them anew cost ~10 % of an audit record's append.
template <typename F>
Result<void> in_transaction(Connection& conn, F&& body) {
  ARCA_TRY(ARCA_TRY(conn.cached("BEGIN IMMEDIATE")).run());
  Result<void> r = body();
  if (!r.ok()) {
    (void)conn.exec("ROLLBACK");
    return r;
  }
  Result<void> c = [&]() -> Result<void> {
    auto commit = ARCA_TRY(conn.cached("COMMIT"));
    return commit.run();  // reset when `commit` goes, before any ROLLBACK
  }();
  if (!c.ok())
    (void)conn.exec("ROLLBACK");
  return c;
}

}  // namespace arca::store::sqlite
