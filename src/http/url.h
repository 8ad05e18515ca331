// Decoding of request targets ("/a/b%20c?x=1&x=2"). Percent-decoding follows RFC 3986: '+' is
// a literal plus (DICOMweb timezone offsets such as "+0100" depend on it), "%00", malformed
// escapes and the dot segments "." and ".." are refused, so nothing downstream ever sees a path
// that climbs out of its prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace arca::http {

// Decoded query parameters in request order; a repeated key keeps every value.
class QueryParams {
 public:
  using Item = std::pair<std::string, std::string>;

  QueryParams() = default;
  explicit QueryParams(std::vector<Item> items) : items_(std::move(items)) {}

  // First value of the key.
  std::optional<std::string_view> get(std::string_view key) const;
  // Every value of the key, in order.
  std::vector<std::string_view> all(std::string_view key) const;
  const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
};

struct Target {
  std::string path;                   // decoded, segments joined with '/'
  std::vector<std::string> segments;  // decoded; "/" has none
  QueryParams query;
};

// Fails with kInvalidArgument on a malformed escape or a NUL byte.
Result<std::string> percent_decode(std::string_view in);
// Splits and decodes an origin-form target; fails with kInvalidArgument if it does not start
// with '/', or holds a bad escape or a dot segment.
Result<Target> parse_target(std::string_view raw);

}  // namespace arca::http
