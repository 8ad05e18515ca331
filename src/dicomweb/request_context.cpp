#include "dicomweb/request_context.h"

namespace arca::dicomweb {

Result<service::RequestContext> request_context(const http::Request& request) {
  const http::Principal* p = request.principal();
  if (p == nullptr)
    return make_error(ErrorCode::kUnauthenticated, "no principal");
  service::RequestContext ctx;
  ctx.principal.kind = p->actor.rfind("token:", 0) == 0 ? service::Principal::Kind::kApiToken
                                                        : service::Principal::Kind::kUser;
  ctx.principal.id = p->actor;
  ctx.principal.tenant = TenantId(p->tenant);
  ctx.principal.user_id = p->user_id;
  ctx.principal.system_admin = p->system_admin;
  for (Permission perm :
       {Permission::kStudyQuery, Permission::kImageRead, Permission::kStudyWrite,
        Permission::kDocumentWrite, Permission::kStudyShare, Permission::kStudyExport,
        Permission::kStudyDelete, Permission::kPatientErase, Permission::kAuditRead,
        Permission::kAdminUsers, Permission::kAdminPeers, Permission::kAdminSettings}) {
    if (p->permissions.contains(perm))
      ctx.principal.permissions.insert(perm);
  }
  if (p->study_scope)
    ctx.principal.study_scope.emplace(p->study_scope->begin(), p->study_scope->end());
  ctx.client_address = request.client_address();
  ctx.request_id = request.request_id();
  if (auto agent = request.headers().get("User-Agent"))
    ctx.user_agent = std::string(agent->substr(0, 256));  // for the audit trail; bounded
  return ctx;
}

}  // namespace arca::dicomweb
