// /api/v1/users* and /api/v1/tenants: account administration.
#include <charconv>

#include "api/json_io.h"
#include "api/request_context.h"
#include "api/route_binding.h"
#include "api/routes.h"
#include "store/account_names.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

Result<store::UserId> user_param(const Request& request) {
  std::string_view text = request.path_param("id").value_or("");
  store::UserId id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0)
    return make_error(ErrorCode::kNotFound, "no such user");
  return id;
}

Result<std::set<Role>> roles_field(const json& body) {
  auto it = body.find("roles");
  if (it == body.end() || !it->is_array())
    return make_error(ErrorCode::kInvalidArgument, "\"roles\" must be an array of role names");
  std::set<Role> roles;
  for (const json& r : *it) {
    auto role = r.is_string() ? parse_role(r.get<std::string>()) : std::nullopt;
    if (!role)
      return make_error(ErrorCode::kInvalidArgument, "unknown role " + r.dump());
    roles.insert(*role);
  }
  return roles;
}

Result<Response> list_users(service::AccountService& svc, Request& request) {
  auto users = ARCA_TRY(svc.list_users(request_context(request)));
  json out = json::array();
  for (const store::User& u : users)
    out.push_back(user_json(u));
  return json_response(200, out);
}

Result<Response> add_user(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  auto ctx = request_context(request);
  std::string username = ARCA_TRY(string_field(body, "username"));
  std::set<Role> roles = ARCA_TRY(roles_field(body));
  auth::UserOptions o;
  o.service_account = body.value("service_account", false);
  o.linked_name = optional_string(body, "linked_name").value_or("");
  TenantId tenant(optional_string(body, "tenant").value_or(ctx.principal.tenant.str()));
  auto added = ARCA_TRY(svc.add_user(ctx, tenant, username, roles, o));
  json out{{"user", user_json(added.user)}};
  if (!added.one_time_password.reveal().empty())
    out["one_time_password"] = added.one_time_password.reveal();
  return json_response(201, out);
}

Result<Response> get_user(service::AccountService& svc, Request& request) {
  auto ctx = request_context(request);
  store::UserId id = ARCA_TRY(user_param(request));
  for (const store::User& u : ARCA_TRY(svc.list_users(ctx))) {
    if (u.id == id)
      return json_response(200, user_json(u));
  }
  return make_error(ErrorCode::kNotFound, "no such user");
}

Result<Response> patch_user(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  auto ctx = request_context(request);
  store::UserId id = ARCA_TRY(user_param(request));
  if (body.contains("disabled")) {
    if (!body["disabled"].is_boolean())
      return make_error(ErrorCode::kInvalidArgument, "\"disabled\" must be true or false");
    ARCA_TRY(svc.set_disabled(ctx, id, body["disabled"].get<bool>()));
  }
  if (body.contains("roles"))
    ARCA_TRY(svc.set_roles(ctx, id, ARCA_TRY(roles_field(body))));
  return get_user(svc, request);
}

Result<Response> reset_password(service::AccountService& svc, Request& request) {
  auto otp = ARCA_TRY(svc.reset_password(request_context(request), ARCA_TRY(user_param(request))));
  return json_response(200, json{{"one_time_password", otp.reveal()}});
}

Result<Response> reset_second_factor(service::AccountService& svc, Request& request) {
  ARCA_TRY(svc.reset_second_factor(request_context(request), ARCA_TRY(user_param(request))));
  return Response(204);
}

Result<Response> list_grants(service::AccountService& svc, Request& request) {
  auto grants = ARCA_TRY(svc.list_grants(request_context(request), ARCA_TRY(user_param(request))));
  json out = json::array();
  for (const store::StudyGrant& g : grants)
    out.push_back(
        json{{"study", g.study.str()}, {"granted_by", g.granted_by}, {"created_ms", g.created_ms}});
  return json_response(200, out);
}

Result<Response> add_grant(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  StudyUid study(ARCA_TRY(string_field(body, "study")));
  ARCA_TRY(svc.grant_study(request_context(request), ARCA_TRY(user_param(request)), study));
  return json_response(201, json{{"study", study.str()}});
}

Result<Response> remove_grant(service::AccountService& svc, Request& request) {
  StudyUid study(std::string(request.path_param("study").value_or("")));
  ARCA_TRY(svc.revoke_study(request_context(request), ARCA_TRY(user_param(request)), study));
  return Response(204);
}

// Tenants are a system admin's business; refused before the body is even read.
Result<void> require_system_admin(const Request& request) {
  if (request.principal() == nullptr || !request.principal()->system_admin)
    return make_error(ErrorCode::kPermissionDenied, "requires a system admin");
  return ok();
}

Result<Response> list_tenants(service::AccountService& svc, Request& request) {
  ARCA_TRY(require_system_admin(request));
  json out = json::array();
  for (const store::Tenant& t : ARCA_TRY(svc.list_tenants(request_context(request))))
    out.push_back(json{{"id", t.id.str()},
                       {"display_name", t.display_name},
                       {"mfa_required", t.mfa_required},
                       {"referring_name_match", t.referring_name_match},
                       {"open_storage", t.open_storage}});
  return json_response(200, out);
}

Result<Response> add_tenant(service::AccountService& svc, Request& request) {
  ARCA_TRY(require_system_admin(request));
  json body = ARCA_TRY(read_json_object(request));
  TenantId id(ARCA_TRY(string_field(body, "id")));
  ARCA_TRY(svc.add_tenant(request_context(request), id,
                          optional_string(body, "display_name").value_or("")));
  return json_response(201, json{{"id", id.str()}});
}

Result<Response> patch_tenant(service::AccountService& svc, Request& request) {
  ARCA_TRY(require_system_admin(request));
  json body = ARCA_TRY(read_json_object(request));
  auto flag = [&](const char* name) -> Result<std::optional<bool>> {
    auto it = body.find(name);
    if (it == body.end())
      return std::optional<bool>();
    if (!it->is_boolean())
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("\"") + name + "\" must be a boolean");
    return std::optional<bool>(it->get<bool>());
  };
  TenantId id(std::string(request.path_param("id").value_or("")));
  ARCA_TRY(svc.set_tenant_options(request_context(request), id, ARCA_TRY(flag("mfa_required")),
                                  ARCA_TRY(flag("referring_name_match")),
                                  ARCA_TRY(flag("open_storage"))));
  return json_response(200, json{{"id", id.str()}});
}

}  // namespace

Result<void> register_admin_routes(http::Router& router, service::AccountService& svc) {
  const Access admin = Access::require(Permission::kAdminUsers);
  const std::uint64_t limit = kMaxJsonBody;
  const AuditAction a = AuditAction::kAdmin;
  ARCA_TRY(router.add({Method::kGet, "/api/v1/users", admin, a, limit, bound(svc, list_users)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/users", admin, a, limit, bound(svc, add_user)}));
  ARCA_TRY(router.add({Method::kGet, "/api/v1/users/{id}", admin, a, limit, bound(svc, get_user)}));
  ARCA_TRY(
      router.add({Method::kPatch, "/api/v1/users/{id}", admin, a, limit, bound(svc, patch_user)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/users/{id}/password-reset", admin, a, limit,
                       bound(svc, reset_password)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/users/{id}/second-factor-reset", admin, a, limit,
                       bound(svc, reset_second_factor)}));
  ARCA_TRY(router.add(
      {Method::kGet, "/api/v1/users/{id}/grants", admin, a, limit, bound(svc, list_grants)}));
  ARCA_TRY(router.add(
      {Method::kPost, "/api/v1/users/{id}/grants", admin, a, limit, bound(svc, add_grant)}));
  ARCA_TRY(router.add({Method::kDelete, "/api/v1/users/{id}/grants/{study}", admin, a, limit,
                       bound(svc, remove_grant)}));
  ARCA_TRY(
      router.add({Method::kGet, "/api/v1/tenants", admin, a, limit, bound(svc, list_tenants)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/tenants", admin, a, limit, bound(svc, add_tenant)}));
  ARCA_TRY(router.add(
      {Method::kPatch, "/api/v1/tenants/{id}", admin, a, limit, bound(svc, patch_tenant)}));
  return ok();
}

}  // namespace arca::api
