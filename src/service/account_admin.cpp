// AccountService: users, grants, API tokens and tenants.
#include <algorithm>

#include "auth/policy.h"
#include "service/account_service.h"
#include "service/authorize.h"

namespace arca::service {
namespace {

std::string user_ref(store::UserId id) {
  return "user:" + std::to_string(id);
}

bool is_self(const RequestContext& ctx, store::UserId user) {
  return ctx.principal.kind == Principal::Kind::kUser && ctx.principal.user_id == user;
}

}  // namespace

Result<store::User> AccountService::administered_user(const RequestContext& ctx,
                                                      store::UserId user) {
  auto found = ARCA_TRY(deps_.accounts.store().find_user(user));
  if (!found || (!ctx.principal.system_admin && found->tenant != ctx.principal.tenant))
    return make_error(ErrorCode::kNotFound, "no such user");
  return std::move(*found);
}

Result<std::vector<store::User>> AccountService::list_users(const RequestContext& ctx) {
  auto result = [&]() -> Result<std::vector<store::User>> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    return deps_.accounts.store().list_users(ctx.principal.tenant);
  }();
  // A refused listing is recorded; a granted one is not (like the peer and token lists: staff
  // accounts, no patient data), so the admin screens' reloads do not bury the changes.
  if (result.ok())
    return result;
  return audited(ctx, AuditAction::kAdmin, "users listed", std::move(result));
}

Result<store::User> AccountService::find_user(const RequestContext& ctx,
                                              std::string_view username) {
  ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
  auto found = ARCA_TRY(deps_.accounts.store().find_user_by_name(username));
  if (!found || (!ctx.principal.system_admin && found->tenant != ctx.principal.tenant))
    return make_error(ErrorCode::kNotFound, "no such user");
  return std::move(*found);
}

Result<auth::NewUser> AccountService::add_user(const RequestContext& ctx, const TenantId& tenant,
                                               std::string username, std::set<Role> roles,
                                               const auth::UserOptions& options) {
  auto result = [&]() -> Result<auth::NewUser> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    if (tenant != ctx.principal.tenant && !ctx.principal.system_admin)
      return make_error(ErrorCode::kPermissionDenied, "users of another tenant");
    if (options.system_admin && !ctx.principal.system_admin)
      return make_error(ErrorCode::kPermissionDenied, "only a system admin makes system admins");
    return deps_.accounts.add_user(tenant, std::move(username), std::move(roles), options);
  }();
  std::string detail = result.ok() ? "user added: " + user_ref(result->user.id) : "user add";
  return audited(ctx, AuditAction::kAdmin, std::move(detail), std::move(result));
}

Result<SecretString> AccountService::reset_password(const RequestContext& ctx, store::UserId user) {
  auto result = [&]() -> Result<SecretString> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    ARCA_TRY(administered_user(ctx, user));
    return deps_.accounts.reset_password(user);
  }();
  return audited(ctx, AuditAction::kAdmin, "password reset: " + user_ref(user), std::move(result));
}

Result<void> AccountService::reset_second_factor(const RequestContext& ctx, store::UserId user) {
  auto result = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    ARCA_TRY(administered_user(ctx, user));
    return deps_.accounts.reset_second_factor(user);
  }();
  return audited(ctx, AuditAction::kAdmin, "second factor reset: " + user_ref(user),
                 std::move(result));
}

Result<void> AccountService::set_disabled(const RequestContext& ctx, store::UserId user,
                                          bool disabled) {
  auto result = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    ARCA_TRY(administered_user(ctx, user));
    if (disabled && is_self(ctx, user))
      return make_error(ErrorCode::kInvalidArgument, "you cannot disable your own account");
    return deps_.accounts.set_disabled(user, disabled);
  }();
  return audited(ctx, AuditAction::kAdmin,
                 std::string(disabled ? "user disabled: " : "user enabled: ") + user_ref(user),
                 std::move(result));
}

Result<void> AccountService::set_roles(const RequestContext& ctx, store::UserId user,
                                       std::set<Role> roles) {
  std::string names;
  for (Role r : roles)
    names += (names.empty() ? "" : ",") + std::string(role_name(r));
  auto result = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    ARCA_TRY(administered_user(ctx, user));
    return deps_.accounts.set_roles(user, std::move(roles));
  }();
  return audited(ctx, AuditAction::kAdmin, "roles of " + user_ref(user) + " set to " + names,
                 std::move(result));
}

Result<std::vector<store::StudyGrant>> AccountService::list_grants(const RequestContext& ctx,
                                                                   store::UserId user) {
  ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
  ARCA_TRY(administered_user(ctx, user));
  return deps_.accounts.store().list_grants(user);
}

Result<void> AccountService::grant_study(const RequestContext& ctx, store::UserId user,
                                         const StudyUid& study) {
  auto result = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    ARCA_TRY(administered_user(ctx, user));
    return deps_.accounts.grant_study(user, study, ctx.principal.user_id);
  }();
  auto r =
      audited(ctx, AuditAction::kAdmin, "study granted to " + user_ref(user), std::move(result));
  return r;
}

Result<void> AccountService::revoke_study(const RequestContext& ctx, store::UserId user,
                                          const StudyUid& study) {
  auto result = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminUsers));
    ARCA_TRY(administered_user(ctx, user));
    return deps_.accounts.revoke_study(user, study);
  }();
  return audited(ctx, AuditAction::kAdmin, "study grant revoked from " + user_ref(user),
                 std::move(result));
}

Result<auth::NewToken> AccountService::create_token(const RequestContext& ctx,
                                                    store::UserId for_user, std::string name,
                                                    std::set<Permission> permissions,
                                                    std::chrono::seconds lifetime) {
  auto result = [&]() -> Result<auth::NewToken> {
    if (ctx.principal.kind == Principal::Kind::kApiToken)
      return make_error(ErrorCode::kPermissionDenied, "an API token cannot create tokens");
    auth::Identity creator;
    if (ctx.principal.kind == Principal::Kind::kLocalOperator) {
      // The console operator holds the root key; the token acts for the named user.
      store::User owner = ARCA_TRY(administered_user(ctx, for_user));
      creator.user = owner;
      creator.permissions = auth::role_permissions(owner);
    } else if (ctx.principal.kind == Principal::Kind::kUser) {
      auto self = ARCA_TRY(deps_.accounts.store().find_user(ctx.principal.user_id));
      if (!self)
        return make_error(ErrorCode::kUnauthenticated, "account no longer exists");
      creator.user = *self;
      creator.permissions = ctx.principal.permissions;
    } else {
      return make_error(ErrorCode::kPermissionDenied, "only users create API tokens");
    }
    if (ctx.principal.kind == Principal::Kind::kUser && for_user != ctx.principal.user_id)
      ARCA_TRY(administered_user(ctx, for_user));
    return deps_.accounts.create_token(creator, for_user, std::move(name), std::move(permissions),
                                       lifetime);
  }();
  std::string detail = result.ok() ? "token created: token:" + std::to_string(result->token.id) +
                                         " for " + user_ref(for_user)
                                   : "token create for " + user_ref(for_user);
  return audited(ctx, AuditAction::kAdmin, std::move(detail), std::move(result));
}

Result<std::vector<store::ApiToken>> AccountService::list_tokens(const RequestContext& ctx) {
  auto all = ARCA_TRY(deps_.accounts.store().list_tokens(ctx.principal.tenant));
  if (ctx.principal.may(Permission::kAdminUsers))
    return all;
  std::erase_if(all, [&](const store::ApiToken& t) { return t.user != ctx.principal.user_id; });
  return all;
}

Result<void> AccountService::revoke_token(const RequestContext& ctx, store::TokenId token) {
  auto result = [&]() -> Result<void> {
    auto found = ARCA_TRY(deps_.accounts.store().find_token(token));
    bool own = found && found->user == ctx.principal.user_id &&
               ctx.principal.kind == Principal::Kind::kUser;
    bool admin = found && ctx.principal.may(Permission::kAdminUsers) &&
                 (found->tenant == ctx.principal.tenant || ctx.principal.system_admin);
    if (!own && !admin)
      return make_error(ErrorCode::kNotFound, "no such token");
    return deps_.accounts.revoke_token(token);
  }();
  return audited(ctx, AuditAction::kAdmin, "token revoked: token:" + std::to_string(token),
                 std::move(result));
}

Result<void> AccountService::add_tenant(const RequestContext& ctx, const TenantId& id,
                                        std::string name) {
  auto result = [&]() -> Result<void> {
    if (!ctx.principal.system_admin)
      return make_error(ErrorCode::kPermissionDenied, "requires a system admin");
    return deps_.accounts.add_tenant(id, std::move(name));
  }();
  return audited(ctx, AuditAction::kAdmin, "tenant added: " + id.str(), std::move(result));
}

Result<void> AccountService::set_tenant_options(const RequestContext& ctx, const TenantId& id,
                                                std::optional<bool> mfa_required,
                                                std::optional<bool> referring_name_match,
                                                std::optional<bool> open_storage) {
  auto result = [&]() -> Result<void> {
    if (!ctx.principal.system_admin)
      return make_error(ErrorCode::kPermissionDenied, "requires a system admin");
    auto tenant = ARCA_TRY(deps_.accounts.store().find_tenant(id));
    if (!tenant)
      return make_error(ErrorCode::kNotFound, "no such tenant");
    if (mfa_required)
      tenant->mfa_required = *mfa_required;
    if (referring_name_match)
      tenant->referring_name_match = *referring_name_match;
    if (open_storage && *open_storage) {
      for (const store::Tenant& t : ARCA_TRY(deps_.accounts.store().list_tenants())) {
        if (t.open_storage && t.id != id)
          return make_error(ErrorCode::kConflict,
                            "tenant " + t.id.str() + " already has open storage; only one may");
      }
    }
    if (open_storage)
      tenant->open_storage = *open_storage;
    return deps_.accounts.store().update_tenant(*tenant);
  }();
  std::string detail = "tenant settings of " + id.str() + ":";
  if (mfa_required)
    detail += *mfa_required ? " second factor required" : " second factor optional";
  if (referring_name_match)
    detail += *referring_name_match ? " referring-name match on" : " referring-name match off";
  if (open_storage)
    detail += *open_storage ? " open storage on" : " open storage off";
  return audited(ctx, AuditAction::kAdmin, std::move(detail), std::move(result));
}

Result<std::vector<store::Tenant>> AccountService::list_tenants(const RequestContext& ctx) {
  if (!ctx.principal.system_admin)
    return make_error(ErrorCode::kPermissionDenied, "requires a system admin");
  return deps_.accounts.store().list_tenants();
}

}  // namespace arca::service
