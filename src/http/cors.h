// Cross-origin access (CORS, Fetch standard), off by default: Arca serves OHIF, the app and the
// API from one origin (DESIGN §7), so browsers need none. A site that puts a viewer on another
// origin lists it exactly ("https://viewer.example:8443") in [http] cors_origins; only those
// origins get Access-Control-Allow-Origin (never "*"), with credentials, so the session cookie
// or bearer token still decides access: CORS only lets the listed page read the answers.
//
// Preflights (OPTIONS with Origin and Access-Control-Request-Method) from a listed origin are
// answered 204 before routing and authentication (browsers send them without credentials),
// allowing GET, HEAD and POST with the Authorization, Content-Type, Accept and Range headers;
// from any other origin, 403. Without listed origins nothing here changes any answer.
// Thread-safety: an immutable CorsPolicy is safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace arca::http {

struct CorsPolicy {
  std::vector<std::string> origins;  // exact serialized origins; empty: CORS off

  bool enabled() const { return !origins.empty(); }
  bool allows(std::string_view origin) const;
};

// The answer to a CORS preflight, or nullopt when the request is not one (or CORS is off).
std::optional<Response> cors_preflight(const CorsPolicy& policy, const Request& request);
// Adds the CORS response headers when `origin` (the request's Origin) is listed; Vary: Origin
// whenever CORS is on, so caches keep answers for different origins apart.
void apply_cors(Response& response, const CorsPolicy& policy,
                std::optional<std::string_view> origin);

}  // namespace arca::http
