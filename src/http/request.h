// One HTTP request as handlers see it: decoded path and query, headers, the route's path
// parameters and a streaming body. The body is a ByteSource read straight from the connection,
// so a 2 GB upload never sits whole in memory; it yields at most the route's max_body_bytes
// and fails with kTooLarge past that, or kTimeout if the client stalls.
// Thread-safety: a Request is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/stream.h"
#include "domain/audit_action.h"
#include "http/authenticator.h"
#include "http/headers.h"
#include "http/method.h"
#include "http/url.h"

namespace arca::http {

struct RequestInit {
  Method method = Method::kGet;
  std::string target;  // raw origin-form target, e.g. "/a%20b?x=1"
  Headers headers;
  std::string client_address;
  std::string request_id;
  std::unique_ptr<ByteSource> body;  // null: empty body
};

class Request {
 public:
  using PathParam = std::pair<std::string, std::string>;

  // Decodes the target; fails with kInvalidArgument on a malformed one.
  static Result<Request> create(RequestInit init);

  Method method() const { return method_; }
  const std::string& path() const { return target_.path; }  // decoded
  const std::vector<std::string>& segments() const { return target_.segments; }
  const QueryParams& query() const { return target_.query; }
  const Headers& headers() const { return headers_; }
  const std::string& client_address() const { return client_address_; }
  const std::string& request_id() const { return request_id_; }
  ByteSource& body() { return *body_; }

  // Set by the router when a route matches.
  std::optional<std::string_view> path_param(std::string_view name) const;
  const std::vector<PathParam>& path_params() const { return path_params_; }
  const std::string& route_template() const { return route_template_; }
  AuditAction audit_action() const { return audit_action_; }
  // The authenticated caller; null on public routes.
  const Principal* principal() const { return principal_ ? &*principal_ : nullptr; }

  void set_route(std::string route_template, AuditAction action, std::vector<PathParam> params);
  void set_principal(Principal p) { principal_ = std::move(p); }

 private:
  Request() = default;

  Method method_ = Method::kGet;
  Target target_;
  Headers headers_;
  std::string client_address_;
  std::string request_id_;
  std::unique_ptr<ByteSource> body_;
  std::vector<PathParam> path_params_;
  std::string route_template_;
  AuditAction audit_action_ = AuditAction::kNone;
  std::optional<Principal> principal_;
};

}  // namespace arca::http
