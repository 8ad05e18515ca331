#include "app/account_commands.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "store/account_names.h"

namespace arca::app {
namespace {

using Action = AccountCommand::Action;
using nlohmann::json;

// The operator at the console (every permission, every tenant: they hold the root key).
service::RequestContext console(const std::string& tenant) {
  return service::console_context(TenantId(tenant.empty() ? "default" : tenant));
}

int fail(std::ostream& err, const Error& e) {
  err << "arca: " << e.message << '\n';
  return e.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

template <typename T>
bool failed(const Result<T>& r, std::ostream& err, int& rc) {
  if (r.ok())
    return false;
  rc = fail(err, r.error());
  return true;
}

std::string roles_text(const std::set<Role>& roles) {
  return store::join_roles(roles);
}

int user_add(service::AccountService& svc, const AccountCommand& c, std::ostream& out,
             std::ostream& err) {
  std::set<Role> roles = store::split_roles(c.roles);
  if (roles.size() != static_cast<std::size_t>(std::count(c.roles.begin(), c.roles.end(), ',') +
                                               (c.roles.empty() ? 0 : 1))) {
    err << "arca: unknown role in '" << c.roles
        << "' (admin, radiologist, technologist, referring, front_desk, auditor)\n";
    return 2;
  }
  auth::UserOptions o;
  o.service_account = c.service_account;
  o.system_admin = c.system_admin;
  o.linked_name = c.linked_name;
  auto added = svc.add_user(console(c.tenant), TenantId(c.tenant.empty() ? "default" : c.tenant),
                            c.username, roles, o);
  int rc = 0;
  if (failed(added, err, rc))
    return rc;
  if (c.json) {
    json j{{"id", added->user.id}, {"username", added->user.username}};
    if (!added->one_time_password.reveal().empty())
      j["one_time_password"] = added->one_time_password.reveal();
    out << j.dump() << '\n';
  } else if (!added->one_time_password.reveal().empty()) {
    out << added->one_time_password.reveal() << '\n';
  }
  return 0;
}

int user_list(service::AccountService& svc, const AccountCommand& c, std::ostream& out,
              std::ostream& err) {
  auto ctx = console(c.tenant);
  if (c.tenant.empty())
    ctx.principal.tenant = TenantId("");  // every tenant
  auto users = svc.list_users(ctx);       // authorized and audited like the API
  int rc = 0;
  if (failed(users, err, rc))
    return rc;
  json all = json::array();
  for (const store::User& u : *users) {
    if (c.json) {
      all.push_back(json{{"id", u.id},
                         {"username", u.username},
                         {"tenant", u.tenant.str()},
                         {"roles", roles_text(u.roles)},
                         {"disabled", u.disabled},
                         {"second_factor", u.totp_enabled},
                         {"service_account", u.service_account}});
    } else {
      out << u.username << "  tenant=" << u.tenant.str() << "  roles=" << roles_text(u.roles)
          << (u.system_admin ? "  system-admin" : "") << (u.disabled ? "  DISABLED" : "")
          << (u.service_account ? "  service-account" : "")
          << (u.totp_enabled ? "  2fa" : "  no-2fa") << '\n';
    }
  }
  if (c.json)
    out << all.dump() << '\n';
  return 0;
}

int with_user(service::AccountService& svc, const AccountCommand& c, std::ostream& out,
              std::ostream& err) {
  auto ctx = console(c.tenant);
  auto user = svc.find_user(ctx, c.username);
  int rc = 0;
  if (failed(user, err, rc))
    return rc;
  ctx.principal.tenant = user->tenant;
  Result<void> done = ok();
  switch (c.action) {
    case Action::kUserDisable:
      done = svc.set_disabled(ctx, user->id, true);
      break;
    case Action::kUserEnable:
      done = svc.set_disabled(ctx, user->id, false);
      break;
    case Action::kUserResetMfa:
      done = svc.reset_second_factor(ctx, user->id);
      break;
    case Action::kUserGrant:
      done = c.revoke ? svc.revoke_study(ctx, user->id, StudyUid(c.study))
                      : svc.grant_study(ctx, user->id, StudyUid(c.study));
      break;
    case Action::kUserRoles:
      done = svc.set_roles(ctx, user->id, store::split_roles(c.roles));
      break;
    case Action::kUserResetPassword: {
      auto otp = svc.reset_password(ctx, user->id);
      if (failed(otp, err, rc))
        return rc;
      out << otp->reveal() << '\n';
      return 0;
    }
    default:
      break;
  }
  if (failed(done, err, rc))
    return rc;
  return 0;
}

int token_create(service::AccountService& svc, const AccountCommand& c, std::ostream& out,
                 std::ostream& err) {
  auto ctx = console(c.tenant);
  auto user = svc.find_user(ctx, c.username);
  int rc = 0;
  if (failed(user, err, rc))
    return rc;
  ctx.principal.tenant = user->tenant;
  std::set<Permission> perms = store::split_permissions(c.permissions);
  if (perms.empty()) {
    err << "arca: --permissions needs permission names, e.g. study.query,image.read\n";
    return 2;
  }
  auto made = svc.create_token(ctx, user->id, c.token_name, perms,
                               std::chrono::seconds(std::int64_t{c.days} * 24 * 60 * 60));
  if (failed(made, err, rc))
    return rc;
  out << made->secret.reveal() << '\n';  // the token alone, shown once
  return 0;
}

int token_list(service::AccountService& svc, const AccountCommand& c, std::ostream& out,
               std::ostream& err) {
  auto tokens = svc.list_tokens(console(c.tenant));
  int rc = 0;
  if (failed(tokens, err, rc))
    return rc;
  json all = json::array();
  for (const store::ApiToken& t : *tokens) {
    std::string state = t.revoked_ms ? "revoked" : "active";
    if (c.json) {
      all.push_back(json{{"id", t.id},
                         {"user", t.user},
                         {"name", t.name},
                         {"permissions", store::join_permissions(t.permissions)},
                         {"expires_ms", t.expires_ms},
                         {"state", state}});
    } else {
      out << t.id << "  user:" << t.user << "  " << t.name << "  "
          << store::join_permissions(t.permissions) << "  " << state << '\n';
    }
  }
  if (c.json)
    out << all.dump() << '\n';
  return 0;
}

}  // namespace

int run_account_command(Archive& archive, const AccountCommand& c, std::ostream& out,
                        std::ostream& err) {
  service::AccountService& svc = archive.accounts();
  int rc = 0;
  switch (c.action) {
    case Action::kUserAdd:
      return user_add(svc, c, out, err);
    case Action::kUserList:
      return user_list(svc, c, out, err);
    case Action::kTokenCreate:
      return token_create(svc, c, out, err);
    case Action::kTokenList:
      return token_list(svc, c, out, err);
    case Action::kTokenRevoke: {
      auto done = svc.revoke_token(console(c.tenant), c.token_id);
      if (failed(done, err, rc))
        return rc;
      return 0;
    }
    case Action::kTenantAdd: {
      auto done = svc.add_tenant(console(""), TenantId(c.tenant_id), c.display_name);
      if (failed(done, err, rc))
        return rc;
      return 0;
    }
    case Action::kTenantList: {
      auto tenants = svc.list_tenants(console(""));
      if (failed(tenants, err, rc))
        return rc;
      for (const store::Tenant& t : *tenants)
        out << t.id.str() << "  " << t.display_name
            << (t.mfa_required ? "  2fa-required" : "  2fa-optional")
            << (t.referring_name_match ? "  referring-name-match" : "")
            << (t.open_storage ? "  open-storage" : "") << '\n';
      return 0;
    }
    case Action::kTenantSet: {
      auto flag = [](const std::string& v, const char* yes) -> std::optional<bool> {
        if (v.empty())
          return std::nullopt;
        return v == yes;
      };
      auto done =
          svc.set_tenant_options(console(""), TenantId(c.tenant_id), flag(c.mfa, "required"),
                                 flag(c.referring_match, "on"), flag(c.open_storage, "on"));
      if (failed(done, err, rc))
        return rc;
      return 0;
    }
    default:
      return with_user(svc, c, out, err);
  }
}

}  // namespace arca::app
