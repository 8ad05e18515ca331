#include "api/request_context.h"

namespace arca::api {

service::RequestContext request_context(const http::Request& request) {
  service::RequestContext ctx;
  ctx.client_address = request.client_address();
  ctx.request_id = request.request_id();
  if (auto agent = request.headers().get("User-Agent"))
    ctx.user_agent = std::string(agent->substr(0, 256));  // for the audit trail; bounded
  const http::Principal* p = request.principal();
  if (p == nullptr || !p->pending_step.empty())
    return ctx;  // no permissions at all
  ctx.principal.kind = p->actor.rfind("token:", 0) == 0 ? service::Principal::Kind::kApiToken
                                                        : service::Principal::Kind::kUser;
  ctx.principal.id = p->actor;
  ctx.principal.tenant = TenantId(p->tenant);
  ctx.principal.user_id = p->user_id;
  ctx.principal.system_admin = p->system_admin;
  for (int i = 0; i <= static_cast<int>(Permission::kAdminSettings); ++i) {
    auto perm = static_cast<Permission>(i);
    if (p->permissions.contains(perm))
      ctx.principal.permissions.insert(perm);
  }
  if (p->study_scope)
    ctx.principal.study_scope.emplace(p->study_scope->begin(), p->study_scope->end());
  return ctx;
}

}  // namespace arca::api
