#include "http/authenticator.h"

#include "http/request.h"

namespace arca::http {

Result<Principal> DenyAllAuthenticator::authenticate(const Request&) {
  return make_error(ErrorCode::kUnauthenticated, "no authenticator configured");
}

bool is_loopback_address(std::string_view address) {
  if (address == "::1")
    return true;
  constexpr std::string_view kMapped = "::ffff:";
  if (address.size() > kMapped.size() && address.substr(0, kMapped.size()) == kMapped)
    address.remove_prefix(kMapped.size());
  constexpr std::string_view kLoopback4 = "127.";
  if (address.substr(0, kLoopback4.size()) != kLoopback4)
    return false;
  // The rest must be a dotted quad, so "127.evil.example" is not loopback.
  int dots = 0;
  for (char c : address) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return false;
  }
  return dots == 3;
}

Result<Principal> LoopbackDevAuthenticator::authenticate(const Request& request) {
  if (!is_loopback_address(request.client_address())) {
    return make_error(ErrorCode::kUnauthenticated,
                      "development access is limited to loopback clients");
  }
  return principal_;
}

}  // namespace arca::http
