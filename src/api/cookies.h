// The session cookie: `arca_session`, HttpOnly, Secure, SameSite=Strict, Path=/, no Max-Age (it
// ends with the browser session; the server's idle and absolute timeouts end it sooner).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"

namespace arca::api {

inline constexpr std::string_view kSessionCookie = "arca_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The value of cookie `name` in the request's Cookie header(s), if present.
std::optional<std::string> cookie_value(const http::Request& request, std::string_view name);
std::string session_cookie(std::string_view session_id);
std::string expired_session_cookie();

}  // namespace arca::api
