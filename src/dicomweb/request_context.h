// The step DESIGN §1 requires of every transport: the authenticated http::Principal of a
// request becomes a service::RequestContext (principal, tenant, client address, request id)
// before anything reaches service/.
#pragma once

#include "core/result.h"
#include "http/request.h"
#include "service/request_context.h"

namespace arca::dicomweb {

// kUnauthenticated when the request carries no principal (a public route, which DICOMweb routes
// never are).
Result<service::RequestContext> request_context(const http::Request& request);

}  // namespace arca::dicomweb
