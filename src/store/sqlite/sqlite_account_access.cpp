// SqliteAccountStore, second half: sessions, API tokens and per-study grants.
#include "store/account_names.h"
#include "store/sqlite/sqlite_account_store.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store {

namespace {

constexpr std::string_view kSessionSelect =
    "SELECT id_hash, user, tenant, second_factor_done, created_ms, last_seen_ms, client_address "
    "FROM sessions ";

Session read_session(const sqlite::Statement& st) {
  Session s;
  s.id_hash = st.column_blob(0);
  s.user = st.column_int(1);
  s.tenant = TenantId(st.column_text(2));
  s.second_factor_done = st.column_int(3) != 0;
  s.created_ms = st.column_int(4);
  s.last_seen_ms = st.column_int(5);
  s.client_address = st.column_text(6);
  return s;
}

constexpr std::string_view kTokenSelect =
    "SELECT id, user, tenant, name, token_hash, permissions, created_by, created_ms, expires_ms, "
    "revoked_ms, last_used_ms FROM api_tokens ";

ApiToken read_token(const sqlite::Statement& st) {
  ApiToken t;
  t.id = st.column_int(0);
  t.user = st.column_int(1);
  t.tenant = TenantId(st.column_text(2));
  t.name = st.column_text(3);
  t.token_hash = st.column_blob(4);
  t.permissions = split_permissions(st.column_text(5));
  t.created_by = st.column_int(6);
  t.created_ms = st.column_int(7);
  t.expires_ms = st.column_int(8);
  t.revoked_ms = st.column_opt_int(9);
  t.last_used_ms = st.column_int(10);
  return t;
}

}  // namespace

Result<void> SqliteAccountStore::add_session(const Session& s) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached("INSERT INTO sessions (id_hash, user, tenant, second_factor_done, created_ms, "
                    "last_seen_ms, client_address) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  st.bind_blob(1, s.id_hash)
      .bind(2, s.user)
      .bind(3, s.tenant.str())
      .bind(4, std::int64_t{s.second_factor_done})
      .bind(5, s.created_ms)
      .bind(6, s.last_seen_ms)
      .bind(7, s.client_address);
  return st.run();
}

Result<std::optional<Session>> SqliteAccountStore::find_session(ByteView id_hash) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kSessionSelect) + "WHERE id_hash = ?"));
  st.bind_blob(1, id_hash);
  if (!ARCA_TRY(st.step()))
    return std::optional<Session>();
  return std::optional<Session>(read_session(st));
}

Result<void> SqliteAccountStore::update_session(const Session& s) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "UPDATE sessions SET second_factor_done = ?, last_seen_ms = ? WHERE id_hash = ?"));
  st.bind(1, std::int64_t{s.second_factor_done}).bind(2, s.last_seen_ms).bind_blob(3, s.id_hash);
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kNotFound, "no such session");
  return ok();
}

Result<void> SqliteAccountStore::delete_session(ByteView id_hash) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached("DELETE FROM sessions WHERE id_hash = ?"));
  return st.bind_blob(1, id_hash).run();
}

Result<std::int64_t> SqliteAccountStore::delete_user_sessions(UserId user) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached("DELETE FROM sessions WHERE user = ?"));
  ARCA_TRY(st.bind(1, user).run());
  return conn_->changes();
}

Result<TokenId> SqliteAccountStore::add_token(const ApiToken& t) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "INSERT INTO api_tokens (user, tenant, name, token_hash, permissions, created_by, "
      "created_ms, expires_ms, revoked_ms, last_used_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  st.bind(1, t.user)
      .bind(2, t.tenant.str())
      .bind(3, t.name)
      .bind_blob(4, t.token_hash)
      .bind(5, join_permissions(t.permissions))
      .bind(6, t.created_by)
      .bind(7, t.created_ms)
      .bind(8, t.expires_ms)
      .bind(9, t.revoked_ms)
      .bind(10, t.last_used_ms);
  ARCA_TRY(st.run());
  return conn_->last_insert_rowid();
}

Result<std::optional<ApiToken>> SqliteAccountStore::find_token_by_hash(ByteView token_hash) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kTokenSelect) + "WHERE token_hash = ?"));
  st.bind_blob(1, token_hash);
  if (!ARCA_TRY(st.step()))
    return std::optional<ApiToken>();
  return std::optional<ApiToken>(read_token(st));
}

Result<std::optional<ApiToken>> SqliteAccountStore::find_token(TokenId id) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kTokenSelect) + "WHERE id = ?"));
  st.bind(1, id);
  if (!ARCA_TRY(st.step()))
    return std::optional<ApiToken>();
  return std::optional<ApiToken>(read_token(st));
}

Result<std::vector<ApiToken>> SqliteAccountStore::list_tokens(const TenantId& tenant) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached(std::string(kTokenSelect) + "WHERE ? = '' OR tenant = ? ORDER BY id DESC"));
  st.bind(1, tenant.str()).bind(2, tenant.str());
  std::vector<ApiToken> out;
  while (ARCA_TRY(st.step()))
    out.push_back(read_token(st));
  return out;
}

Result<void> SqliteAccountStore::update_token(const ApiToken& t) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "UPDATE api_tokens SET name = ?, permissions = ?, expires_ms = ?, revoked_ms = ?, "
      "last_used_ms = ? WHERE id = ?"));
  st.bind(1, t.name)
      .bind(2, join_permissions(t.permissions))
      .bind(3, t.expires_ms)
      .bind(4, t.revoked_ms)
      .bind(5, t.last_used_ms)
      .bind(6, t.id);
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kNotFound, "no such token");
  return ok();
}

Result<void> SqliteAccountStore::add_grant(const StudyGrant& g) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "INSERT INTO study_grants (user, study_uid, granted_by, created_ms) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (user, study_uid) DO NOTHING"));
  ARCA_TRY(
      st.bind(1, g.user).bind(2, g.study.str()).bind(3, g.granted_by).bind(4, g.created_ms).run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kAlreadyExists, "the user already holds this grant");
  return ok();
}

Result<void> SqliteAccountStore::remove_grant(UserId user, const StudyUid& study) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached("DELETE FROM study_grants WHERE user = ? AND study_uid = ?"));
  ARCA_TRY(st.bind(1, user).bind(2, study.str()).run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kNotFound, "no such grant");
  return ok();
}

Result<std::vector<StudyGrant>> SqliteAccountStore::list_grants(UserId user) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(
      "SELECT user, study_uid, granted_by, created_ms FROM study_grants WHERE user = ? "
      "ORDER BY study_uid"));
  st.bind(1, user);
  std::vector<StudyGrant> out;
  while (ARCA_TRY(st.step()))
    out.push_back(StudyGrant{st.column_int(0), StudyUid(st.column_text(1)), st.column_int(2),
                             st.column_int(3)});
  return out;
}

}  // namespace arca::store
