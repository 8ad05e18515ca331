#include "store/sqlite/sqlite_key_vault.h"

#include "core/file.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca::store {

using sqlite::Connection;

SqliteKeyVault::SqliteKeyVault(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
SqliteKeyVault::~SqliteKeyVault() = default;

Result<std::unique_ptr<SqliteKeyVault>> SqliteKeyVault::open(const std::filesystem::path& file,
                                                             SecretBytes key) {
  sqlite::ConnectionOptions o;
  o.file = file;
  o.application_id = sqlite::kVaultApplicationId;
  o.what = "key vault";
  auto conn = ARCA_TRY(Connection::open(o, key));
  ARCA_TRY(sqlite::migrate(*conn, sqlite::vault_migrations(), sqlite::kVaultApplicationId));
  ARCA_TRY(sync_directory(file.has_parent_path() ? file.parent_path() : "."));
  return std::make_unique<SqliteKeyVault>(std::move(conn));
}

Result<std::optional<Bytes>> SqliteKeyVault::read(const VaultKeyId& id) {
  auto st = ARCA_TRY(conn_->cached("SELECT wrapped FROM vault_keys WHERE id = ?"));
  st.bind(1, id.str());
  if (!ARCA_TRY(st.step()))
    return std::optional<Bytes>();
  return std::optional<Bytes>(st.column_blob(0));
}

Result<std::optional<Bytes>> SqliteKeyVault::get(const VaultKeyId& id) {
  std::lock_guard lock(mu_);
  return read(id);
}

Result<Bytes> SqliteKeyVault::put_if_absent(const VaultKeyId& id, ByteView wrapped) {
  if (id.empty() || wrapped.empty())
    return make_error(ErrorCode::kInvalidArgument, "vault key needs an id and a value");
  std::lock_guard lock(mu_);
  Bytes stored;
  Result<void> r = sqlite::in_transaction(*conn_, [&]() -> Result<void> {
    auto ins = ARCA_TRY(conn_->cached(
        "INSERT INTO vault_keys (id, wrapped) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"));
    ARCA_TRY(ins.bind(1, id.str()).bind_blob(2, wrapped).run());
    auto now = ARCA_TRY(read(id));
    if (!now)
      return make_error(ErrorCode::kInternal, "vault key vanished");
    stored = std::move(*now);
    return ok();
  });
  if (!r.ok())
    return std::move(r).error();
  return stored;
}

Result<void> SqliteKeyVault::destroy(const VaultKeyId& id) {
  std::lock_guard lock(mu_);
  auto del = ARCA_TRY(conn_->cached("DELETE FROM vault_keys WHERE id = ?"));
  ARCA_TRY(del.bind(1, id.str()).run());
  bool deleted = conn_->changes() > 0;
  // Copy every page back into the database file and empty the WAL, so the only remaining
  // image of the freed cells is the zeroed one secure_delete wrote. Done even when the row was
  // already gone, so retrying after a blocked checkpoint completes the job.
  auto st = ARCA_TRY(conn_->prepare("PRAGMA wal_checkpoint(TRUNCATE)"));
  if (ARCA_TRY(st.step()) && st.column_int(0) != 0)
    return make_error(ErrorCode::kUnavailable, "vault checkpoint blocked by a reader; retry");
  if (!deleted)
    return make_error(ErrorCode::kNotFound, "no such vault key");
  return ok();
}

}  // namespace arca::store
