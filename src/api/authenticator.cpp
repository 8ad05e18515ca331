#include "api/authenticator.h"

#include "api/cookies.h"
#include "api/request_context.h"
#include "http/request.h"

namespace arca::api {
namespace {

bool is_safe(http::Method m) {
  return m == http::Method::kGet || m == http::Method::kHead || m == http::Method::kOptions;
}

// A STOW-RS body (multipart/related) cannot come from another site without a CORS preflight
// (it is not a CORS-safelisted content type), and the SameSite=Strict cookie is not sent
// cross-site at all; so the viewer's STOW of measurements, which cannot add X-CSRF-Token, is
// accepted without it. Everything else that changes state needs the token.
bool preflighted_store(const http::Request& request) {
  auto type = request.headers().get("Content-Type");
  return request.method() == http::Method::kPost && request.path().rfind("/dicom-web/", 0) == 0 &&
         type && http::iequals(type->substr(0, 17), "multipart/related");
}

}  // namespace

http::Principal http_principal(const auth::Identity& identity) {
  http::Principal p;
  p.actor = identity.actor();
  p.tenant = identity.user.tenant.str();
  p.user_id = identity.user.id;
  p.system_admin = identity.user.system_admin && !identity.token;
  for (Permission perm : identity.permissions)
    p.permissions.add(perm);
  if (identity.study_scope)
    p.study_scope.emplace(identity.study_scope->begin(), identity.study_scope->end());
  if (identity.step != auth::SignInStep::kDone)
    p.pending_step = std::string(auth::sign_in_step_name(identity.step));
  return p;
}

Result<http::Principal> AccountAuthenticator::authenticate(const http::Request& request) {
  if (auto header = request.headers().get("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (header->size() <= kBearer.size() || !http::iequals(header->substr(0, 7), kBearer))
      return make_error(ErrorCode::kUnauthenticated, "unsupported Authorization scheme");
    SecretString token{std::string(header->substr(kBearer.size()))};
    auto identity = ARCA_TRY(accounts_.authenticate_token(request_context(request), token));
    return http_principal(identity);
  }
  auto cookie = cookie_value(request, kSessionCookie);
  if (!cookie || cookie->empty())
    return make_error(ErrorCode::kUnauthenticated, "sign in first");
  SecretString session{std::move(*cookie)};
  auto identity = ARCA_TRY(accounts_.authenticate_session(request_context(request), session));
  if (!is_safe(request.method()) && !preflighted_store(request)) {
    auto presented = request.headers().get(kCsrfHeader);
    if (!presented || !accounts_.accounts().check_csrf(session, *presented))
      return make_error(ErrorCode::kPermissionDenied,
                        "missing or wrong X-CSRF-Token for a cookie-authenticated change");
  }
  return http_principal(identity);
}

}  // namespace arca::api
