#include "api/cookies.h"

namespace arca::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> cookie_value(const http::Request& request, std::string_view name) {
  for (const auto& [field, value] : request.headers().fields()) {
    if (!http::iequals(field, "Cookie"))
      continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      auto eq = pair.find('=');
      if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name)
        return std::string(trim(pair.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

std::string session_cookie(std::string_view session_id) {
  return std::string(kSessionCookie) + "=" + std::string(session_id) +
         "; Path=/; HttpOnly; Secure; SameSite=Strict";
}

std::string expired_session_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0";
}

}  // namespace arca::api
