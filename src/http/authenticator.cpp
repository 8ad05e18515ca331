#include "http/authenticator.h"

namespace arca::http {

Result<Principal> DenyAllAuthenticator::authenticate(const Request&) {
  return make_error(ErrorCode::kUnauthenticated, "no authenticator configured");
}

}  // namespace arca::http
