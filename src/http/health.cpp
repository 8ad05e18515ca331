#include "http/health.h"

#include <utility>

namespace arca::http {

Result<void> register_health_routes(Router& router, std::function<Result<void>()> readiness) {
  if (!readiness)
    return make_error(ErrorCode::kInvalidArgument, "readiness check missing");
  ARCA_TRY(
      router.add(Route{Method::kGet, "/healthz", Access::public_route(), AuditAction::kNone, 0,
                       [](Request&) -> Result<Response> { return Response::text(200, "ok"); }}));
  return router.add(Route{Method::kGet, "/readyz", Access::public_route(), AuditAction::kNone, 0,
                          [check = std::move(readiness)](Request&) -> Result<Response> {
                            Result<void> r = check();
                            if (!r.ok()) {
                              return make_error(ErrorCode::kUnavailable,
                                                "not ready: " + r.error().to_string());
                            }
                            return Response::text(200, "ready");
                          }});
}

}  // namespace arca::http
