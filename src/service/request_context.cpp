#include "service/request_context.h"

namespace arca::service {

Principal Principal::local_operator(const TenantId& tenant) {
  Principal p;
  p.kind = Kind::kLocalOperator;
  p.id = "local-operator";
  p.tenant = tenant;
  p.system_admin = true;
  for (Permission perm :
       {Permission::kStudyQuery, Permission::kImageRead, Permission::kStudyWrite,
        Permission::kDocumentWrite, Permission::kStudyShare, Permission::kStudyExport,
        Permission::kStudyDelete, Permission::kPatientErase, Permission::kAuditRead,
        Permission::kAdminUsers, Permission::kAdminPeers, Permission::kAdminSettings}) {
    p.permissions.insert(perm);
  }
  return p;
}

RequestContext console_context(const TenantId& tenant) {
  RequestContext ctx;
  ctx.principal = Principal::local_operator(tenant);
  ctx.client_address = "console";
  return ctx;
}

}  // namespace arca::service
