// /api/v1/tokens: API tokens for integrations, shown once.
#include <charconv>

#include "api/json_io.h"
#include "api/request_context.h"
#include "api/route_binding.h"
#include "api/routes.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

json token_json(const store::ApiToken& t) {
  json perms = json::array();
  for (Permission p : t.permissions)
    perms.push_back(permission_name(p));
  json out{{"id", t.id},
           {"user", t.user},
           {"name", t.name},
           {"permissions", perms},
           {"created_ms", t.created_ms},
           {"expires_ms", t.expires_ms},
           {"last_used_ms", t.last_used_ms}};
  out["revoked_ms"] = t.revoked_ms ? json(*t.revoked_ms) : json(nullptr);
  return out;
}

Result<Response> list_tokens(service::AccountService& svc, Request& request) {
  json out = json::array();
  for (const store::ApiToken& t : ARCA_TRY(svc.list_tokens(request_context(request))))
    out.push_back(token_json(t));
  return json_response(200, out);
}

Result<Response> create_token(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  auto ctx = request_context(request);
  std::string name = ARCA_TRY(string_field(body, "name"));
  std::set<Permission> perms;
  auto it = body.find("permissions");
  if (it == body.end() || !it->is_array())
    return make_error(ErrorCode::kInvalidArgument, "\"permissions\" must be an array");
  for (const json& p : *it) {
    auto perm = p.is_string() ? parse_permission(p.get<std::string>()) : std::nullopt;
    if (!perm)
      return make_error(ErrorCode::kInvalidArgument, "unknown permission " + p.dump());
    perms.insert(*perm);
  }
  std::int64_t days = body.value("expires_in_days", std::int64_t{90});
  if (days <= 0 || days > 3650)
    return make_error(ErrorCode::kInvalidArgument, "\"expires_in_days\" must be 1..3650");
  store::UserId for_user = body.value("user", ctx.principal.user_id);
  auto made = ARCA_TRY(
      svc.create_token(ctx, for_user, name, perms, std::chrono::seconds(days * 24 * 60 * 60)));
  json out = token_json(made.token);
  out["token"] = made.secret.reveal();  // the only time it is shown
  return json_response(201, out);
}

Result<Response> revoke_token(service::AccountService& svc, Request& request) {
  std::string_view text = request.path_param("id").value_or("");
  store::TokenId id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size())
    return make_error(ErrorCode::kNotFound, "no such token");
  ARCA_TRY(svc.revoke_token(request_context(request), id));
  return Response(204);
}

}  // namespace

Result<void> register_token_routes(http::Router& router, service::AccountService& svc) {
  const Access any = Access::authenticated();
  const std::uint64_t limit = kMaxJsonBody;
  ARCA_TRY(router.add(
      {Method::kGet, "/api/v1/tokens", any, AuditAction::kAdmin, limit, bound(svc, list_tokens)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/tokens", any, AuditAction::kAdmin, limit,
                       bound(svc, create_token)}));
  ARCA_TRY(router.add({Method::kDelete, "/api/v1/tokens/{id}", any, AuditAction::kAdmin, limit,
                       bound(svc, revoke_token)}));
  return ok();
}

}  // namespace arca::api
