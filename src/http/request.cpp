#include "http/request.h"

namespace arca::http {
namespace {

class EmptySource final : public ByteSource {
 public:
  Result<std::size_t> read(MutableByteView) override { return std::size_t{0}; }
};

}  // namespace

Result<Request> Request::create(RequestInit init) {
  Request r;
  r.target_ = ARCA_TRY(parse_target(init.target));
  r.method_ = init.method;
  r.headers_ = std::move(init.headers);
  r.client_address_ = std::move(init.client_address);
  r.request_id_ = std::move(init.request_id);
  r.body_ = init.body ? std::move(init.body) : std::make_unique<EmptySource>();
  return r;
}

std::optional<std::string_view> Request::path_param(std::string_view name) const {
  for (const auto& [k, v] : path_params_) {
    if (k == name)
      return std::string_view(v);
  }
  return std::nullopt;
}

void Request::set_route(std::string route_template, AuditAction action,
                        std::vector<PathParam> params) {
  route_template_ = std::move(route_template);
  audit_action_ = action;
  path_params_ = std::move(params);
}

}  // namespace arca::http
