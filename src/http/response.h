// An HTTP response: status, headers and a body that is either bytes in memory or a ByteSource
// streamed to the client (with Content-Length when the size is known, chunked otherwise).
//
// error_response() is the one place an Error becomes an HTTP answer (STYLE rule 1): status from
// the catalogue's http_status(), JSON body {"error": code name, "message": ...}.
// The headers every response carries are added by the server (http/response_policy.h); a
// handler may override Content-Security-Policy and Cache-Control by setting them itself.
// Thread-safety: a Response is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>

#include "core/error.h"
#include "core/stream.h"
#include "http/headers.h"

namespace arca::http {

struct StreamBody {
  std::unique_ptr<ByteSource> source;
  std::optional<std::uint64_t> length;  // known size: Content-Length; otherwise chunked
};

class Response {
 public:
  explicit Response(int status = 200) : status_(status) {}

  static Response text(int status, std::string_view body);  // text/plain; charset=utf-8
  static Response json(int status, std::string_view body);  // application/json
  static Response stream(int status, StreamBody body, std::string_view content_type);

  int status() const { return status_; }
  void set_status(int s) { status_ = s; }
  Headers& headers() { return headers_; }
  const Headers& headers() const { return headers_; }

  void set_body(Bytes body) { body_ = std::move(body); }
  void set_body(StreamBody body) { body_ = std::move(body); }
  bool is_stream() const { return std::holds_alternative<StreamBody>(body_); }
  const Bytes& bytes() const { return std::get<Bytes>(body_); }
  Bytes take_bytes() && { return std::move(std::get<Bytes>(body_)); }
  StreamBody& stream_body() { return std::get<StreamBody>(body_); }

 private:
  int status_;
  Headers headers_;
  std::variant<Bytes, StreamBody> body_;
};

// The mapping of an Error to a response; nothing else in Arca maps codes to statuses.
Response error_response(const Error& error);
// A protocol-level refusal that has no catalogue code (405, 431), same JSON shape.
Response protocol_error(int status, std::string_view name, std::string_view message);
// Escapes a string for a JSON string literal (without the quotes).
std::string json_escape(std::string_view s);

}  // namespace arca::http
