// Accounts: API tokens for integrations — scoped, expiring, shown once, stored as digests.
#include <algorithm>

#include "auth/accounts.h"
#include "auth/policy.h"

namespace arca::auth {
namespace {

constexpr std::int64_t kTouchIntervalMs = 60 * 1000;

std::set<Permission> intersect(const std::set<Permission>& a, const std::set<Permission>& b) {
  std::set<Permission> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

}  // namespace

Result<NewToken> Accounts::create_token(const Identity& creator, store::UserId for_user,
                                        std::string name, std::set<Permission> permissions,
                                        std::chrono::seconds lifetime) {
  if (creator.step != SignInStep::kDone)
    return make_error(ErrorCode::kUnauthenticated, "finish signing in first");
  if (creator.token)
    return make_error(ErrorCode::kPermissionDenied, "an API token cannot create tokens");
  store::User owner = ARCA_TRY(user_of(for_user));
  if (owner.tenant != creator.user.tenant && !creator.user.system_admin)
    return make_error(ErrorCode::kNotFound, "no such user");
  if (owner.id != creator.user.id) {
    if (creator.permissions.count(Permission::kAdminUsers) == 0)
      return make_error(ErrorCode::kPermissionDenied, "only an admin creates tokens for others");
    if (!owner.service_account)
      return make_error(ErrorCode::kInvalidArgument,
                        "tokens for another account are for service accounts only");
  }
  if (owner.disabled)
    return make_error(ErrorCode::kInvalidArgument, "account disabled");
  if (permissions.empty())
    return make_error(ErrorCode::kInvalidArgument, "a token needs at least one permission");
  std::set<Permission> allowed = intersect(role_permissions(owner), creator.permissions);
  for (Permission p : permissions) {
    if (allowed.count(p) == 0)
      return make_error(ErrorCode::kPermissionDenied,
                        "cannot grant " + std::string(permission_name(p)) + " to this token");
  }
  if (lifetime.count() <= 0 || lifetime > settings_.max_token_lifetime)
    return make_error(ErrorCode::kInvalidArgument,
                      "token lifetime must be between 1 s and " +
                          std::to_string(settings_.max_token_lifetime.count()) + " s");
  if (name.empty() || name.size() > 100)
    return make_error(ErrorCode::kInvalidArgument, "token name must be 1 to 100 characters");

  NewToken out;
  out.secret = new_api_token(random_);
  store::ApiToken& t = out.token;
  t.user = owner.id;
  t.tenant = owner.tenant;
  t.name = std::move(name);
  t.token_hash = keys_.digest("token", out.secret.reveal());
  t.permissions = std::move(permissions);
  t.created_by = creator.user.id;
  t.created_ms = now_ms();
  t.expires_ms =
      t.created_ms + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime).count();
  t.id = ARCA_TRY(store_.add_token(t));
  return out;
}

Result<Identity> Accounts::resolve_api_token(const SecretString& token,
                                             RefusedCredential* refused) {
  auto found = ARCA_TRY(store_.find_token_by_hash(keys_.digest("token", token.reveal())));
  if (!found)
    return make_error(ErrorCode::kUnauthenticated, "unknown API token");
  store::ApiToken t = std::move(*found);
  auto refuse = [&](const char* why) -> Result<Identity> {
    if (refused != nullptr)
      *refused = RefusedCredential{"token:" + std::to_string(t.id), t.tenant, why};
    return make_error(ErrorCode::kUnauthenticated, why);
  };
  const std::int64_t now = now_ms();
  if (t.revoked_ms)
    return refuse("API token revoked");
  if (now >= t.expires_ms)
    return refuse("API token expired");
  auto user = ARCA_TRY(store_.find_user(t.user));
  if (!user || user->disabled)
    return refuse("the token's account is disabled");
  if (now - t.last_used_ms > kTouchIntervalMs) {
    t.last_used_ms = now;
    ARCA_TRY(store_.update_token(t));
  }
  Identity id;
  id.tenant = ARCA_TRY(tenant_of(t.tenant));
  id.token = t.id;
  id.step = SignInStep::kDone;
  id.permissions = intersect(t.permissions, role_permissions(*user));
  id.study_scope = ARCA_TRY(study_scope(*user, id.tenant));
  id.user = std::move(*user);
  return id;
}

Result<void> Accounts::revoke_token(store::TokenId id) {
  auto found = ARCA_TRY(store_.find_token(id));
  if (!found)
    return make_error(ErrorCode::kNotFound, "no such token");
  if (found->revoked_ms)
    return ok();
  found->revoked_ms = now_ms();
  return store_.update_token(*found);
}

Result<Accounts::Ended> Accounts::end_all_credentials() {
  Ended ended;
  const std::int64_t now = now_ms();
  for (const store::Tenant& tenant : ARCA_TRY(store_.list_tenants())) {
    for (const store::User& user : ARCA_TRY(store_.list_users(tenant.id)))
      ended.sessions += ARCA_TRY(store_.delete_user_sessions(user.id));
    for (store::ApiToken& token : ARCA_TRY(store_.list_tokens(tenant.id))) {
      if (token.revoked_ms)
        continue;
      token.revoked_ms = now;
      ARCA_TRY(store_.update_token(token));
      ++ended.tokens;
    }
  }
  return ended;
}

}  // namespace arca::auth
