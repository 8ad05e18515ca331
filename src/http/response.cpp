#include "http/response.h"

#include <cstdio>
#include <string>

namespace arca::http {

Response Response::text(int status, std::string_view body) {
  Response r(status);
  r.headers().set("Content-Type", "text/plain; charset=utf-8");
  r.set_body(Bytes(body.begin(), body.end()));
  return r;
}

Response Response::json(int status, std::string_view body) {
  Response r(status);
  r.headers().set("Content-Type", "application/json");
  r.set_body(Bytes(body.begin(), body.end()));
  return r;
}

Response Response::stream(int status, StreamBody body, std::string_view content_type) {
  Response r(status);
  r.headers().set("Content-Type", content_type);
  r.set_body(std::move(body));
  return r;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

Response protocol_error(int status, std::string_view name, std::string_view message) {
  std::string body =
      "{\"error\":\"" + json_escape(name) + "\",\"message\":\"" + json_escape(message) + "\"}";
  return Response::json(status, body);
}

Response error_response(const Error& error) {
  std::string_view message = error.message.empty() ? error_code_text(error.code) : error.message;
  Response r = protocol_error(http_status(error.code), error_code_name(error.code), message);
  if (error.code == ErrorCode::kUnauthenticated)
    r.headers().set("WWW-Authenticate", "Bearer realm=\"arca\"");
  if (error.code == ErrorCode::kUnavailable)
    r.headers().set("Retry-After", "1");
  return r;
}

}  // namespace arca::http
