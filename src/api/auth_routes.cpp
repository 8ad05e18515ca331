// /api/v1/auth/* and /api/v1/me*: signing in and out, the second factor, password change and
// TOTP enrolment.
#include "api/authenticator.h"
#include "api/cookies.h"
#include "api/json_io.h"
#include "api/qr_svg.h"
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

SecretString session_of(const Request& request) {
  return SecretString(cookie_value(request, kSessionCookie).value_or(""));
}

// The answer to every sign-in step: what is still owed, and the new cookie when there is one;
// `extra` adds fields.
Response step_response(service::AccountService& svc, const auth::SignIn& in,
                       json extra = json::object()) {
  json body{{"step", auth::sign_in_step_name(in.step)},
            {"csrf_token", svc.accounts().csrf_token(in.session_id)},
            {"user", user_json(in.user)}};
  body.update(extra);
  Response r = json_response(200, body);
  r.headers().add("Set-Cookie", session_cookie(in.session_id.reveal()));
  return r;
}

Result<Response> login(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  std::string username = ARCA_TRY(string_field(body, "username"));
  SecretString password(ARCA_TRY(string_field(body, "password")));
  auto in = ARCA_TRY(svc.sign_in(request_context(request), username, password));
  return step_response(svc, in);
}

Result<Response> second_factor(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  std::string code = ARCA_TRY(string_field(body, "code"));
  auto in = ARCA_TRY(svc.second_factor(request_context(request), session_of(request), code));
  return step_response(svc, in);  // a renewed session: new cookie and CSRF token
}

Result<Response> logout(service::AccountService& svc, Request& request) {
  ARCA_TRY(svc.sign_out(request_context(request), session_of(request)));
  Response r(204);
  r.headers().add("Set-Cookie", expired_session_cookie());
  return r;
}

Result<Response> me(service::AccountService& svc, Request& request) {
  const http::Principal* p = request.principal();
  store::User user = ARCA_TRY(svc.own_account(p->user_id));
  json perms = json::array();
  for (int i = 0; i <= static_cast<int>(Permission::kAdminSettings); ++i) {
    if (p->permissions.contains(static_cast<Permission>(i)))
      perms.push_back(permission_name(static_cast<Permission>(i)));
  }
  json body{{"user", user_json(user)},
            {"actor", p->actor},
            {"step", p->pending_step.empty() ? "done" : p->pending_step},
            {"permissions", perms}};
  if (auto cookie = cookie_value(request, kSessionCookie);
      cookie && p->actor.rfind("user:", 0) == 0)
    body["csrf_token"] = svc.accounts().csrf_token(SecretString(*cookie));
  return json_response(200, body);
}

Result<Response> change_password(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  SecretString current(ARCA_TRY(string_field(body, "current")));
  SecretString replacement(ARCA_TRY(string_field(body, "new")));
  auto in = ARCA_TRY(
      svc.change_password(request_context(request), session_of(request), current, replacement));
  return step_response(svc, in);
}

Result<Response> begin_enrolment(service::AccountService& svc, Request& request) {
  auto e = ARCA_TRY(svc.begin_enrolment(request_context(request), session_of(request)));
  json body{{"otpauth_uri", e.otpauth_uri},
            {"secret", e.secret_base32},
            {"qr_svg", ARCA_TRY(qr_svg(e.otpauth_uri))}};
  return json_response(200, body);
}

Result<Response> confirm_enrolment(service::AccountService& svc, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  std::string code = ARCA_TRY(string_field(body, "code"));
  auto enrolled =
      ARCA_TRY(svc.confirm_enrolment(request_context(request), session_of(request), code));
  // A renewed session (new cookie and CSRF token), and the recovery codes, shown once.
  return step_response(svc, enrolled.session, json{{"recovery_codes", enrolled.recovery_codes}});
}

}  // namespace

json user_json(const store::User& u) {
  json roles = json::array();
  for (Role r : u.roles)
    roles.push_back(role_name(r));
  return json{{"id", u.id},
              {"username", u.username},
              {"tenant", u.tenant.str()},
              {"roles", roles},
              {"system_admin", u.system_admin},
              {"service_account", u.service_account},
              {"disabled", u.disabled},
              {"second_factor", u.totp_enabled},
              {"must_change_password", u.must_change_password}};
}

Result<void> register_auth_routes(http::Router& router, service::AccountService& svc) {
  const std::uint64_t limit = kMaxJsonBody;
  ARCA_TRY(router.add({Method::kPost, "/api/v1/auth/login", Access::public_route(),
                       AuditAction::kLogin, limit, bound(svc, login)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/auth/second-factor", Access::signed_in(),
                       AuditAction::kLogin, limit, bound(svc, second_factor)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/auth/logout", Access::signed_in(),
                       AuditAction::kLogout, limit, bound(svc, logout)}));
  ARCA_TRY(router.add({Method::kGet, "/api/v1/me", Access::signed_in(), AuditAction::kLogin, limit,
                       bound(svc, me)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/me/password", Access::signed_in(),
                       AuditAction::kAdmin, limit, bound(svc, change_password)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/me/second-factor", Access::signed_in(),
                       AuditAction::kAdmin, limit, bound(svc, begin_enrolment)}));
  ARCA_TRY(router.add({Method::kPost, "/api/v1/me/second-factor/confirm", Access::signed_in(),
                       AuditAction::kAdmin, limit, bound(svc, confirm_enrolment)}));
  return ok();
}

}  // namespace arca::api
