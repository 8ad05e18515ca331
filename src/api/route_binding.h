// How the api/*_routes.cpp files turn their free handler functions into router handlers: each
// function takes the service it serves and the request.
#pragma once

#include "core/result.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace arca::api {

// A handler calling fn(service, request); `service` must outlive the router.
template <typename Service>
http::Handler bound(Service& service, Result<http::Response> (*fn)(Service&, http::Request&)) {
  return [&service, fn](http::Request& r) { return fn(service, r); };
}

}  // namespace arca::api
