// Fuzz target: request heads on the plain-HTTP redirect port. Whatever arrives, the answer is
// 301/308 with a Location on the HTTPS origin that no header can be injected into, or 400.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/redirect_server.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view head(reinterpret_cast<const char*>(data), size);
  arca::http::RedirectAnswer a = arca::http::redirect_for(head, 8443);
  if (a.status == 400) {
    if (!a.location.empty())
      std::abort();
    return 0;
  }
  if ((a.status != 301 && a.status != 308) || !a.location.starts_with("https://") ||
      a.location.find_first_of("\r\n\t ") != std::string_view::npos ||
      a.location.find('/', 8) == std::string_view::npos)
    std::abort();
  return 0;
}
