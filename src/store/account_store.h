// AccountStore: tenants, user accounts, their second factor and recovery codes, sessions, API
// tokens and per-study grants (DESIGN §5). It stores what auth/ decides; it decides nothing.
// Secrets never reach it in clear: passwords arrive as Argon2id PHC strings, session ids, API
// tokens and recovery codes as SHA-256 digests, TOTP secrets wrapped under a key derived from
// the root key.
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "domain/ids.h"
#include "domain/permission.h"

namespace arca::store {

using UserId = std::int64_t;
using TokenId = std::int64_t;

struct Tenant {
  TenantId id;               // short machine name: "default", "north-clinic"
  std::string display_name;  // free text shown in the app
  bool mfa_required = true;  // second factor for every role that can read images or PHI
  // Referring physicians also see studies whose ReferringPhysicianName equals their linked name.
  bool referring_name_match = false;
  // DICOM peers that are not configured may C-STORE (and only C-STORE) into this tenant. At most
  // one tenant of an archive has it (an unknown AE names no tenant).
  bool open_storage = false;
  std::int64_t created_ms = 0;
};

struct User {
  UserId id = 0;
  TenantId tenant;
  std::string username;  // unique across the archive (login does not ask for the tenant)
  std::set<Role> roles;
  bool system_admin = false;     // manages tenants, across tenants
  bool service_account = false;  // no password login; API tokens only
  std::string password_hash;     // Argon2id PHC string; empty for service accounts
  bool must_change_password = false;
  bool disabled = false;
  Bytes totp_secret_wrapped;  // empty: not enrolled (or enrolment not confirmed)
  bool totp_enabled = false;
  std::int64_t totp_last_step = 0;  // replay protection: only later steps are accepted
  std::int64_t failed_logins = 0;   // consecutive failures since the last success
  std::int64_t locked_until_ms = 0;
  std::string linked_name;  // DICOM PN of a referring physician, "Doe^Jane"
  std::int64_t created_ms = 0;
  std::int64_t password_changed_ms = 0;
};

struct Session {
  Bytes id_hash;  // SHA-256 of the cookie value
  UserId user = 0;
  TenantId tenant;
  bool second_factor_done = false;
  std::int64_t created_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::string client_address;
};

struct ApiToken {
  TokenId id = 0;
  UserId user = 0;  // whose permissions it acts with (scoped down to `permissions`)
  TenantId tenant;
  std::string name;
  Bytes token_hash;  // SHA-256 of the token
  std::set<Permission> permissions;
  UserId created_by = 0;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;
  std::optional<std::int64_t> revoked_ms;
  std::int64_t last_used_ms = 0;
};

struct StudyGrant {
  UserId user = 0;
  StudyUid study;
  UserId granted_by = 0;  // 0: the console operator
  std::int64_t created_ms = 0;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // kAlreadyExists if the id is taken.
  virtual Result<void> add_tenant(const Tenant& tenant) = 0;
  virtual Result<std::optional<Tenant>> find_tenant(const TenantId& id) = 0;
  virtual Result<std::vector<Tenant>> list_tenants() = 0;
  virtual Result<void> update_tenant(const Tenant& tenant) = 0;

  // Returns the new id; kAlreadyExists if the username is taken.
  virtual Result<UserId> add_user(const User& user) = 0;
  virtual Result<std::optional<User>> find_user(UserId id) = 0;
  virtual Result<std::optional<User>> find_user_by_name(std::string_view username) = 0;
  // Ordered by username; an empty tenant lists every tenant's users.
  virtual Result<std::vector<User>> list_users(const TenantId& tenant) = 0;
  // Writes every field of `user` (matched by id); kNotFound if there is no such user.
  virtual Result<void> update_user(const User& user) = 0;
  // Atomically moves totp_last_step forward to `step`; false if it was already >= step (replay).
  virtual Result<bool> advance_totp_step(UserId user, std::int64_t step) = 0;

  // Replaces the user's recovery codes with these digests, all unused.
  virtual Result<void> set_recovery_codes(UserId user, const std::vector<Bytes>& digests) = 0;
  // Marks the unused code with this digest used; false if there is none (wrong or used).
  virtual Result<bool> use_recovery_code(UserId user, ByteView digest, std::int64_t now_ms) = 0;
  virtual Result<std::int64_t> unused_recovery_codes(UserId user) = 0;

  virtual Result<void> add_session(const Session& session) = 0;
  virtual Result<std::optional<Session>> find_session(ByteView id_hash) = 0;
  virtual Result<void> update_session(const Session& session) = 0;
  virtual Result<void> delete_session(ByteView id_hash) = 0;
  // Every session of the user; returns how many there were.
  virtual Result<std::int64_t> delete_user_sessions(UserId user) = 0;

  virtual Result<TokenId> add_token(const ApiToken& token) = 0;
  virtual Result<std::optional<ApiToken>> find_token_by_hash(ByteView token_hash) = 0;
  virtual Result<std::optional<ApiToken>> find_token(TokenId id) = 0;
  // A tenant's tokens (every tenant's when empty), newest first.
  virtual Result<std::vector<ApiToken>> list_tokens(const TenantId& tenant) = 0;
  virtual Result<void> update_token(const ApiToken& token) = 0;

  // kAlreadyExists if the user already holds a grant for the study.
  virtual Result<void> add_grant(const StudyGrant& grant) = 0;
  // kNotFound if there was no such grant.
  virtual Result<void> remove_grant(UserId user, const StudyUid& study) = 0;
  virtual Result<std::vector<StudyGrant>> list_grants(UserId user) = 0;
};

}  // namespace arca::store
