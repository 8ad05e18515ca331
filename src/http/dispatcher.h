// The request pipeline between the transport and the handlers, free of any network library so
// it is testable on its own. Deny by default, in this order:
//   1. match the route (404 unknown path, 405 + Allow for another method),
//   2. on a non-public route, authenticate (401) and check the required permission (403),
//   3. run the handler; an Error result or an exception becomes error_response().
// The server runs admit() as soon as a request's header is in, so an unauthenticated or
// unauthorized upload is refused before its body is read, then run() with the streaming body.
// Thread-safety: thread-safe if the Router is no longer modified and the Authenticator is.
#pragma once

#include <functional>
#include <optional>

#include "http/authenticator.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

namespace arca::http {

// Told of every refusal of an authenticated caller (403, or 401 for a sign-in still owing
// steps), so app/ can audit denied accesses; never told of anonymous 401s (scanners would
// flood the trail). Must be thread-safe and must not throw.
using RefusalObserver =
    std::function<void(const Request& request, const Principal& who, const Error& why)>;

struct Admission {
  const Route* route = nullptr;     // the route to run, when admitted
  std::optional<Response> refusal;  // otherwise the answer to send
};

class Dispatcher {
 public:
  Dispatcher(const Router& router, Authenticator& authenticator, RefusalObserver on_refusal = {})
      : router_(router), authenticator_(authenticator), on_refusal_(std::move(on_refusal)) {}

  // Matches, authenticates and authorizes; sets the request's route and principal.
  Admission admit(Request& request) const;
  // Runs the handler of an admitted route.
  Response run(const Route& route, Request& request) const;
  // admit() then run().
  Response dispatch(Request& request) const;

 private:
  Response refuse(const Request& request, const Principal& who, Error why) const;

  const Router& router_;
  Authenticator& authenticator_;
  RefusalObserver on_refusal_;
};

}  // namespace arca::http
