#include "store/sqlite/sqlite_account_store.h"

#include "store/account_names.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca::store {

using sqlite::Connection;

namespace {

constexpr std::string_view kUserColumns =
    "id, tenant, username, roles, system_admin, service_account, password_hash, "
    "must_change_password, disabled, totp_secret, totp_enabled, totp_last_step, failed_logins, "
    "locked_until_ms, linked_name, created_ms, password_changed_ms ";

User read_user(const sqlite::Statement& st) {
  User u;
  u.id = st.column_int(0);
  u.tenant = TenantId(st.column_text(1));
  u.username = st.column_text(2);
  u.roles = split_roles(st.column_text(3));
  u.system_admin = st.column_int(4) != 0;
  u.service_account = st.column_int(5) != 0;
  u.password_hash = st.column_text(6);
  u.must_change_password = st.column_int(7) != 0;
  u.disabled = st.column_int(8) != 0;
  u.totp_secret_wrapped = st.column_blob(9);
  u.totp_enabled = st.column_int(10) != 0;
  u.totp_last_step = st.column_int(11);
  u.failed_logins = st.column_int(12);
  u.locked_until_ms = st.column_int(13);
  u.linked_name = st.column_text(14);
  u.created_ms = st.column_int(15);
  u.password_changed_ms = st.column_int(16);
  return u;
}

// Binds every user column but id, from index `first` on, in kUserColumns order.
void bind_user(sqlite::Statement& st, const User& u, int first) {
  st.bind(first, u.tenant.str())
      .bind(first + 1, u.username)
      .bind(first + 2, join_roles(u.roles))
      .bind(first + 3, std::int64_t{u.system_admin})
      .bind(first + 4, std::int64_t{u.service_account})
      .bind(first + 5, u.password_hash)
      .bind(first + 6, std::int64_t{u.must_change_password})
      .bind(first + 7, std::int64_t{u.disabled})
      .bind_blob(first + 8, u.totp_secret_wrapped)
      .bind(first + 9, std::int64_t{u.totp_enabled})
      .bind(first + 10, u.totp_last_step)
      .bind(first + 11, u.failed_logins)
      .bind(first + 12, u.locked_until_ms)
      .bind(first + 13, u.linked_name)
      .bind(first + 14, u.created_ms)
      .bind(first + 15, u.password_changed_ms);
}

Tenant read_tenant(const sqlite::Statement& st) {
  Tenant t;
  t.id = TenantId(st.column_text(0));
  t.display_name = st.column_text(1);
  t.mfa_required = st.column_int(2) != 0;
  t.referring_name_match = st.column_int(3) != 0;
  t.created_ms = st.column_int(4);
  t.open_storage = st.column_int(5) != 0;
  return t;
}

constexpr std::string_view kTenantSelect =
    "SELECT id, display_name, mfa_required, referring_name_match, created_ms, open_storage "
    "FROM tenants ";

}  // namespace

SqliteAccountStore::SqliteAccountStore(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
SqliteAccountStore::~SqliteAccountStore() = default;

Result<std::unique_ptr<SqliteAccountStore>> SqliteAccountStore::open(
    const std::filesystem::path& index_file, SecretBytes key) {
  auto conn = ARCA_TRY(sqlite::open_index_side_connection(index_file, key, 256));
  ARCA_TRY(conn->exec("PRAGMA foreign_keys=ON"));
  return std::make_unique<SqliteAccountStore>(std::move(conn));
}

Result<void> SqliteAccountStore::add_tenant(const Tenant& t) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "INSERT INTO tenants (id, display_name, mfa_required, referring_name_match, created_ms, "
      "open_storage) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"));
  st.bind(1, t.id.str())
      .bind(2, t.display_name)
      .bind(3, std::int64_t{t.mfa_required})
      .bind(4, std::int64_t{t.referring_name_match})
      .bind(5, t.created_ms)
      .bind(6, std::int64_t{t.open_storage});
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kAlreadyExists, "a tenant with this id exists");
  return ok();
}

Result<std::optional<Tenant>> SqliteAccountStore::find_tenant(const TenantId& id) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kTenantSelect) + "WHERE id = ?"));
  st.bind(1, id.str());
  if (!ARCA_TRY(st.step()))
    return std::optional<Tenant>();
  return std::optional<Tenant>(read_tenant(st));
}

Result<std::vector<Tenant>> SqliteAccountStore::list_tenants() {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kTenantSelect) + "ORDER BY id"));
  std::vector<Tenant> out;
  while (ARCA_TRY(st.step()))
    out.push_back(read_tenant(st));
  return out;
}

Result<void> SqliteAccountStore::update_tenant(const Tenant& t) {
  std::lock_guard lock(mu_);
  auto st =
      ARCA_TRY(conn_->cached("UPDATE tenants SET display_name = ?, mfa_required = ?, "
                             "referring_name_match = ?, open_storage = ? WHERE id = ?"));
  st.bind(1, t.display_name)
      .bind(2, std::int64_t{t.mfa_required})
      .bind(3, std::int64_t{t.referring_name_match})
      .bind(4, std::int64_t{t.open_storage})
      .bind(5, t.id.str());
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kNotFound, "no such tenant");
  return ok();
}

Result<UserId> SqliteAccountStore::add_user(const User& u) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "INSERT INTO users (tenant, username, roles, system_admin, service_account, password_hash, "
      "must_change_password, disabled, totp_secret, totp_enabled, totp_last_step, failed_logins, "
      "locked_until_ms, linked_name, created_ms, password_changed_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING"));
  bind_user(st, u, 1);
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kAlreadyExists, "a user with this username exists");
  return conn_->last_insert_rowid();
}

Result<std::optional<User>> SqliteAccountStore::find_user(UserId id) {
  std::lock_guard lock(mu_);
  auto st =
      ARCA_TRY(conn_->cached("SELECT " + std::string(kUserColumns) + "FROM users WHERE id = ?"));
  st.bind(1, id);
  if (!ARCA_TRY(st.step()))
    return std::optional<User>();
  return std::optional<User>(read_user(st));
}

Result<std::optional<User>> SqliteAccountStore::find_user_by_name(std::string_view username) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached("SELECT " + std::string(kUserColumns) + "FROM users WHERE username = ?"));
  st.bind(1, username);
  if (!ARCA_TRY(st.step()))
    return std::optional<User>();
  return std::optional<User>(read_user(st));
}

Result<std::vector<User>> SqliteAccountStore::list_users(const TenantId& tenant) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached("SELECT " + std::string(kUserColumns) +
                                   "FROM users WHERE ? = '' OR tenant = ? ORDER BY username"));
  st.bind(1, tenant.str()).bind(2, tenant.str());
  std::vector<User> out;
  while (ARCA_TRY(st.step()))
    out.push_back(read_user(st));
  return out;
}

Result<void> SqliteAccountStore::update_user(const User& u) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "UPDATE users SET tenant = ?, username = ?, roles = ?, system_admin = ?, "
      "service_account = ?, password_hash = ?, must_change_password = ?, disabled = ?, "
      "totp_secret = ?, totp_enabled = ?, totp_last_step = ?, failed_logins = ?, "
      "locked_until_ms = ?, linked_name = ?, created_ms = ?, password_changed_ms = ? "
      "WHERE id = ?"));
  bind_user(st, u, 1);
  st.bind(17, u.id);
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kNotFound, "no such user");
  return ok();
}

Result<bool> SqliteAccountStore::advance_totp_step(UserId user, std::int64_t step) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?"));
  ARCA_TRY(st.bind(1, step).bind(2, user).bind(3, step).run());
  return conn_->changes() == 1;
}

Result<void> SqliteAccountStore::set_recovery_codes(UserId user,
                                                    const std::vector<Bytes>& digests) {
  std::lock_guard lock(mu_);
  return sqlite::in_transaction(*conn_, [&]() -> Result<void> {
    auto del = ARCA_TRY(conn_->cached("DELETE FROM recovery_codes WHERE user = ?"));
    ARCA_TRY(del.bind(1, user).run());
    auto ins = ARCA_TRY(
        conn_->cached("INSERT INTO recovery_codes (user, digest, used_ms) VALUES (?, ?, NULL)"));
    for (const Bytes& d : digests) {
      ARCA_TRY(ins.bind(1, user).bind_blob(2, d).run());
      ins.reset();
    }
    return ok();
  });
}

Result<bool> SqliteAccountStore::use_recovery_code(UserId user, ByteView digest,
                                                   std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "UPDATE recovery_codes SET used_ms = ? WHERE user = ? AND digest = ? AND used_ms IS NULL"));
  ARCA_TRY(st.bind(1, now_ms).bind(2, user).bind_blob(3, digest).run());
  return conn_->changes() == 1;
}

Result<std::int64_t> SqliteAccountStore::unused_recovery_codes(UserId user) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached("SELECT count(*) FROM recovery_codes WHERE user = ? AND used_ms IS NULL"));
  st.bind(1, user);
  ARCA_TRY(st.step());
  return st.column_int(0);
}

}  // namespace arca::store
