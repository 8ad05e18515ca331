// Single byte-range requests (RFC 9110 §14) for single-part binary responses.
//
// A handler that can read its body from any offset describes it as a RangedBody and lets
// ranged_response() answer: 200 with the whole body, 206 with Content-Range for one satisfiable
// range, 416 with Content-Range "bytes */size" for an unsatisfiable one. Every answer says
// Accept-Ranges: bytes. A Range header this server does not honour (several ranges, another
// unit, a malformed value, or any If-Range: Arca sends no validators) is ignored and the whole
// body sent, as RFC 9110 allows. Only the requested bytes are opened, so an encrypted blob
// decrypts only the segments the range touches.
// Thread-safety: free functions; a RangedBody is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "core/stream.h"
#include "http/request.h"
#include "http/response.h"

namespace arca::http {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
struct Unsatisfiable {};
// nullopt: serve the whole body.
using RangeRequest = std::optional<std::variant<ByteRange, Unsatisfiable>>;

// Interprets a Range header value against a body of `size` bytes.
RangeRequest parse_range(std::string_view value, std::uint64_t size);

struct RangedBody {
  std::uint64_t size = 0;
  // A source of exactly `length` bytes starting at `offset` (always within the body).
  std::function<Result<std::unique_ptr<ByteSource>>(std::uint64_t offset, std::uint64_t length)>
      open;
};

// The answer to `request` (GET or HEAD) for `body` of `content_type`; see the contract above.
Result<Response> ranged_response(const Request& request, const RangedBody& body,
                                 std::string_view content_type);

}  // namespace arca::http
