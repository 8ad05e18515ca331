// The authenticator of every non-public HTTPS route: `Authorization: Bearer <API token>`, or the
// `arca_session` cookie. A cookie-authenticated request with an unsafe method must also carry
// the session's CSRF token in `X-CSRF-Token` (double submit bound to the session), so another
// site cannot make a signed-in browser change anything — except a STOW-RS POST of
// multipart/related (OHIF's saved measurements), which no other site can send without a CORS
// preflight and which the SameSite=Strict cookie never accompanies cross-site. Credentials go
// through AccountService, which records the recognised ones it refuses (credential_audit.cpp).
// Thread-safety: thread-safe.
#pragma once

#include "http/authenticator.h"
#include "service/account_service.h"

namespace arca::api {

class AccountAuthenticator final : public http::Authenticator {
 public:
  explicit AccountAuthenticator(service::AccountService& accounts) : accounts_(accounts) {}
  Result<http::Principal> authenticate(const http::Request& request) override;

 private:
  service::AccountService& accounts_;
};

// The http::Principal of an identity: its actor, tenant, permissions, scope and pending step.
http::Principal http_principal(const auth::Identity& identity);

}  // namespace arca::api
