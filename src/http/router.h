// Route table. Every route declares its access (public or a required permission) and its audit
// action (STYLE rule 8): Access has no default constructor, so a Route without one does not
// compile, and Router::add refuses a non-public route whose audit action is kNone.
//
// Templates are literal segments and {name} parameters: "/dicom-web/studies/{study}/series/{s}".
// The last segment may be a rest parameter {*name}: it matches one or more remaining segments
// (the last may be empty, as in "/app/") and yields them joined with '/' (static file trees).
// A literal segment beats a parameter at the same position, so "/studies/search" wins over
// "/studies/{study}"; any fixed-length template beats a rest parameter. A path that only rest
// routes match is 404, never 405, for another method. Unknown paths are 404; a
// known path with another method is 405 with Allow. A GET route also answers HEAD (the server sends
// the headers only).
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

// Who may call a route. Only the named constructors make one.
class Access {
 public:
  static Access public_route() { return Access(Kind::kPublic, std::nullopt); }
  // Any authenticated caller, including a session still owing sign-in steps (second factor,
  // password change, enrolment). Only for the routes that complete those steps.
  static Access signed_in() { return Access(Kind::kSignedIn, std::nullopt); }
  // Any fully signed-in caller, whatever its permissions (its own profile and API tokens).
  static Access authenticated() { return Access(Kind::kAuthenticated, std::nullopt); }
  // ("requires" is a C++20 keyword, hence "require".) A fully signed-in caller holding `p`.
  static Access require(Permission p) { return Access(Kind::kPermission, p); }

  bool is_public() const { return kind_ == Kind::kPublic; }
  bool allows_incomplete_sign_in() const { return kind_ == Kind::kSignedIn; }
  // The permission the route requires; nullopt for public, signed_in and authenticated routes.
  std::optional<Permission> permission() const { return permission_; }

 private:
  enum class Kind { kPublic, kSignedIn, kAuthenticated, kPermission };
  Access(Kind kind, std::optional<Permission> p) : kind_(kind), permission_(p) {}
  Kind kind_;
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
    bool is_rest = false;  // {*name}: the remaining segments (last position only)
  };
  std::vector<Route> routes_;
  std::vector<std::vector<Segment>> patterns_;  // parallel to routes_
};

}  // namespace arca::http
