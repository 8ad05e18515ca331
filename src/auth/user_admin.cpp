// Accounts: tenants, users, second-factor resets and per-study grants.
#include <regex>

#include "auth/accounts.h"

namespace arca::auth {
namespace {

Result<void> check_username(const std::string& name) {
  static const std::regex kValid("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  if (!std::regex_match(name, kValid))
    return make_error(ErrorCode::kInvalidArgument,
                      "username must be 1-64 letters, digits, '.', '_', '@' or '-'");
  return ok();
}

Result<void> check_tenant_id(const std::string& id) {
  static const std::regex kValid("[a-z0-9][a-z0-9-]{0,31}");
  if (!std::regex_match(id, kValid))
    return make_error(ErrorCode::kInvalidArgument,
                      "tenant id must be 1-32 lower-case letters, digits or '-'");
  return ok();
}

}  // namespace

Result<void> Accounts::add_tenant(const TenantId& id, std::string display_name) {
  ARCA_TRY(check_tenant_id(id.str()));
  store::Tenant t;
  t.id = id;
  t.display_name = display_name.empty() ? id.str() : std::move(display_name);
  t.created_ms = now_ms();
  return store_.add_tenant(t);
}

Result<NewUser> Accounts::add_user(const TenantId& tenant, std::string username,
                                   std::set<Role> roles, const UserOptions& options) {
  ARCA_TRY(check_username(username));
  ARCA_TRY(tenant_of(tenant));
  if (roles.empty() && !options.system_admin)
    return make_error(ErrorCode::kInvalidArgument, "a user needs at least one role");
  NewUser out;
  store::User& u = out.user;
  u.tenant = tenant;
  u.username = std::move(username);
  u.roles = std::move(roles);
  u.system_admin = options.system_admin;
  u.service_account = options.service_account;
  u.linked_name = options.linked_name;
  u.created_ms = now_ms();
  u.password_changed_ms = u.created_ms;
  if (!u.service_account) {
    out.one_time_password = new_one_time_password(random_);
    u.password_hash =
        ARCA_TRY(crypto::hash_password(out.one_time_password, settings_.argon2, random_));
    u.must_change_password = true;
  }
  u.id = ARCA_TRY(store_.add_user(u));
  return out;
}

Result<SecretString> Accounts::reset_password(store::UserId id) {
  store::User u = ARCA_TRY(user_of(id));
  if (u.service_account)
    return make_error(ErrorCode::kInvalidArgument, "service accounts have no password");
  SecretString otp = new_one_time_password(random_);
  u.password_hash = ARCA_TRY(crypto::hash_password(otp, settings_.argon2, random_));
  u.must_change_password = true;
  u.password_changed_ms = now_ms();
  u.failed_logins = 0;
  u.locked_until_ms = 0;
  ARCA_TRY(store_.update_user(u));
  ARCA_TRY(store_.delete_user_sessions(id));
  return otp;
}

Result<void> Accounts::reset_second_factor(store::UserId id) {
  store::User u = ARCA_TRY(user_of(id));
  u.totp_enabled = false;
  u.totp_secret_wrapped.clear();
  ARCA_TRY(store_.update_user(u));
  ARCA_TRY(store_.set_recovery_codes(id, {}));
  ARCA_TRY(store_.delete_user_sessions(id));
  return ok();
}

Result<void> Accounts::set_disabled(store::UserId id, bool disabled) {
  store::User u = ARCA_TRY(user_of(id));
  u.disabled = disabled;
  ARCA_TRY(store_.update_user(u));
  if (disabled)
    ARCA_TRY(store_.delete_user_sessions(id));
  return ok();
}

Result<void> Accounts::set_roles(store::UserId id, std::set<Role> roles) {
  store::User u = ARCA_TRY(user_of(id));
  if (roles.empty() && !u.system_admin)
    return make_error(ErrorCode::kInvalidArgument, "a user needs at least one role");
  u.roles = std::move(roles);
  return store_.update_user(u);
}

Result<void> Accounts::grant_study(store::UserId user, const StudyUid& study,
                                   store::UserId granted_by) {
  ARCA_TRY(user_of(user));
  if (study.str().empty() || study.str().size() > 64)
    return make_error(ErrorCode::kInvalidArgument, "malformed Study Instance UID");
  return store_.add_grant(store::StudyGrant{user, study, granted_by, now_ms()});
}

Result<void> Accounts::revoke_study(store::UserId user, const StudyUid& study) {
  return store_.remove_grant(user, study);
}

Result<void> Accounts::ensure_default_tenant() {
  const TenantId tenant("default");
  if (!ARCA_TRY(store_.find_tenant(tenant)))
    ARCA_TRY(add_tenant(tenant, "Default"));
  return ok();
}

Result<std::optional<NewUser>> Accounts::ensure_first_admin() {
  ARCA_TRY(ensure_default_tenant());
  for (const store::User& u : ARCA_TRY(store_.list_users(TenantId("")))) {
    if (u.system_admin)
      return std::optional<NewUser>();
  }
  const TenantId tenant("default");
  UserOptions o;
  o.system_admin = true;
  return std::optional<NewUser>(ARCA_TRY(add_user(tenant, "admin", {Role::kAdmin}, o)));
}

}  // namespace arca::auth
