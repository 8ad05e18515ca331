#include "http/dispatcher.h"

#include <algorithm>
#include <string>

namespace arca::http {
namespace {

Response method_not_allowed(std::vector<Method> allowed) {
  if (std::find(allowed.begin(), allowed.end(), Method::kGet) != allowed.end() &&
      std::find(allowed.begin(), allowed.end(), Method::kHead) == allowed.end())
    allowed.push_back(Method::kHead);
  std::sort(allowed.begin(), allowed.end());
  std::string allow;
  for (Method m : allowed) {
    if (!allow.empty())
      allow += ", ";
    allow += method_name(m);
  }
  Response r = protocol_error(405, "method_not_allowed", "method not allowed for this resource");
  r.headers().set("Allow", allow);
  return r;
}

}  // namespace

Admission Dispatcher::admit(Request& request) const {
  RouteMatch m = router_.match(request.method(), request.segments());
  if (m.route == nullptr) {
    if (m.allowed.empty())
      return {nullptr, error_response(make_error(ErrorCode::kNotFound, "no such resource"))};
    return {nullptr, method_not_allowed(std::move(m.allowed))};
  }
  const Route& route = *m.route;
  request.set_route(route.path, route.audit, std::move(m.params));
  if (route.access.is_public())
    return {&route, std::nullopt};
  Result<Principal> who = authenticator_.authenticate(request);
  if (!who.ok())
    return {nullptr, error_response(who.error())};
  if (!who->pending_step.empty() && !route.access.allows_incomplete_sign_in()) {
    return {nullptr, refuse(request, *who,
                            make_error(ErrorCode::kUnauthenticated,
                                       "sign-in not complete: " + who->pending_step))};
  }
  if (route.access.permission() && !who->permissions.contains(*route.access.permission())) {
    return {
        nullptr,
        refuse(request, *who,
               make_error(ErrorCode::kPermissionDenied,
                          "requires " + std::string(permission_name(*route.access.permission()))))};
  }
  request.set_principal(std::move(who).take());
  return {&route, std::nullopt};
}

Response Dispatcher::refuse(const Request& request, const Principal& who, Error why) const {
  if (on_refusal_) {
    try {
      on_refusal_(request, who, why);
    } catch (...) {
      // An observer must not throw; the refusal stands either way.
    }
  }
  return error_response(why);
}

Response Dispatcher::run(const Route& route, Request& request) const {
  try {
    Result<Response> r = route.handler(request);
    if (!r.ok())
      return error_response(r.error());
    return std::move(r).take();
  } catch (...) {
    return error_response(make_error(ErrorCode::kInternal, "handler failed"));
  }
}

Response Dispatcher::dispatch(Request& request) const {
  Admission a = admit(request);
  if (a.route == nullptr)
    return std::move(*a.refusal);
  return run(*a.route, request);
}

}  // namespace arca::http
