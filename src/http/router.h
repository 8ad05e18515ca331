// Route table. Every route declares its access (public or a required permission) and its audit
// action (STYLE rule 8): Access has no default constructor, so a Route without one does not
// compile, and Router::add refuses a non-public route whose audit action is kNone.
//
// Templates are literal segments and {name} parameters: "/dicom-web/studies/{study}/series/{s}".
// A literal segment beats a parameter at the same position, so "/studies/search" wins over
// "/studies/{study}". Unknown paths are 404; a known path with another method is 405 with Allow.
// A GET route also answers HEAD (the server sends the headers only).
//
// Thread-safety: add() during start-up only; match() and routes() are safe from many threads
// once registration is over.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/audit_action.h"
#include "domain/permission.h"
#include "http/method.h"
#include "http/request.h"
#include "http/response.h"

namespace arca::http {

// Who may call a route. Only the two named constructors make one.
class Access {
 public:
  static Access public_route() { return Access(std::nullopt); }
  // ("requires" is a C++20 keyword, hence "require".)
  static Access require(Permission p) { return Access(p); }

  bool is_public() const { return !permission_.has_value(); }
  // The permission a non-public route requires.
  std::optional<Permission> permission() const { return permission_; }

 private:
  explicit Access(std::optional<Permission> p) : permission_(p) {}
  std::optional<Permission> permission_;
};

using Handler = std::function<Result<Response>(Request&)>;

struct Route {
  Method method;
  std::string path;  // template
  Access access;
  AuditAction audit;
  std::optional<std::uint64_t> max_body_bytes;  // nullopt: the server's default limit
  Handler handler;
};

// The outcome of matching a request against the table.
struct RouteMatch {
  const Route* route = nullptr;  // null: no route; see allowed
  std::vector<Request::PathParam> params;
  std::vector<Method> allowed;  // with route == null: empty for 404, else the 405 Allow list
};

class Router {
 public:
  // Fails with kInvalidArgument for a malformed template, an empty handler, a non-public route
  // without an audit action, or a route that duplicates (or is ambiguous with) another.
  Result<void> add(Route route);
  RouteMatch match(Method method, const std::vector<std::string>& segments) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    std::string text;  // literal text or parameter name
    bool is_param = false;
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> patterns_;  // parallel to routes_
};

}  // namespace arca::http
