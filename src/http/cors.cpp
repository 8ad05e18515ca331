#include "http/cors.h"

#include <algorithm>

namespace arca::http {
namespace {

void add_vary(Headers& h, std::string_view token) {
  auto vary = h.get("Vary");
  if (!vary) {
    h.set("Vary", token);
  } else if (vary->find(token) == std::string_view::npos) {
    h.set("Vary", std::string(*vary) + ", " + std::string(token));
  }
}

void allow_origin(Headers& h, std::string_view origin) {
  h.set("Access-Control-Allow-Origin", origin);
  h.set("Access-Control-Allow-Credentials", "true");
}

}  // namespace

bool CorsPolicy::allows(std::string_view origin) const {
  return std::find(origins.begin(), origins.end(), origin) != origins.end();
}

std::optional<Response> cors_preflight(const CorsPolicy& policy, const Request& request) {
  if (!policy.enabled() || request.method() != Method::kOptions)
    return std::nullopt;
  auto origin = request.headers().get("Origin");
  auto method = request.headers().get("Access-Control-Request-Method");
  if (!origin || !method)
    return std::nullopt;
  if (!policy.allows(*origin)) {
    Response r = protocol_error(403, "cors_origin_not_allowed",
                                "this origin may not make cross-origin requests");
    add_vary(r.headers(), "Origin");
    return r;
  }
  Response r(204);
  Headers& h = r.headers();
  allow_origin(h, *origin);
  h.set("Access-Control-Allow-Methods", "GET, HEAD, POST");
  h.set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Range");
  h.set("Access-Control-Max-Age", "600");
  add_vary(h, "Origin");
  return r;
}

void apply_cors(Response& response, const CorsPolicy& policy,
                std::optional<std::string_view> origin) {
  if (!policy.enabled())
    return;
  Headers& h = response.headers();
  add_vary(h, "Origin");
  if (!origin || !policy.allows(*origin))
    return;
  allow_origin(h, *origin);
  h.set("Access-Control-Expose-Headers",
        "Content-Range, Accept-Ranges, Content-Encoding, Warning, X-Request-Id");
}

}  // namespace arca::http
