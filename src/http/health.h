// Liveness and readiness probes, both public and not audited:
//   GET /healthz  always 200 "ok" while the process serves HTTP;
//   GET /readyz   200 "ready" when readiness() succeeds, else 503 with the error as JSON.
#pragma once

#include <functional>

#include "core/result.h"
#include "http/router.h"

namespace arca::http {

Result<void> register_health_routes(Router& router, std::function<Result<void>()> readiness);

}  // namespace arca::http
