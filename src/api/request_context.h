// The http::Principal of an API request as the service::RequestContext service/ takes.
#pragma once

#include "core/result.h"
#include "http/request.h"
#include "service/request_context.h"

namespace arca::api {

// The caller's context; for public routes (signing in) a context with no principal.
service::RequestContext request_context(const http::Request& request);

}  // namespace arca::api
