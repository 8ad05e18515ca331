// Fuzz target: HTTP request-target decoding (path segments and query parameters).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto target =
      arca::http::parse_target(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)target;
  return 0;
}
