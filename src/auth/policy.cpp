#include "auth/policy.h"

namespace arca::auth {
namespace {

constexpr Permission kAll[] = {
    Permission::kStudyQuery,    Permission::kImageRead,    Permission::kStudyWrite,
    Permission::kDocumentWrite, Permission::kStudyShare,   Permission::kStudyExport,
    Permission::kStudyDelete,   Permission::kPatientErase, Permission::kAuditRead,
    Permission::kAdminUsers,    Permission::kAdminPeers,   Permission::kAdminSettings,
};

bool reads_study_data(Role r) {
  return role_grants(r, Permission::kStudyQuery) || role_grants(r, Permission::kImageRead);
}

}  // namespace

std::set<Permission> role_permissions(const store::User& user) {
  std::set<Permission> out;
  for (Role r : user.roles) {
    for (Permission p : kAll) {
      if (role_grants(r, p))
        out.insert(p);
    }
  }
  if (user.system_admin) {
    out.insert(Permission::kAdminUsers);
    out.insert(Permission::kAdminSettings);
  }
  return out;
}

bool limited_to_granted_studies(const store::User& user) {
  if (user.roles.count(Role::kReferring) == 0)
    return false;
  for (Role r : user.roles) {
    if (r != Role::kReferring && reads_study_data(r))
      return false;
  }
  return true;
}

bool second_factor_required(const store::User& user, const store::Tenant& tenant) {
  if (user.service_account || !tenant.mfa_required)
    return false;
  for (Role r : user.roles) {
    // The audit trail is PHI-adjacent (who opened which patient's studies, patient hashes).
    if (reads_study_data(r) || role_grants(r, Permission::kAuditRead) || r == Role::kAdmin)
      return true;
  }
  return user.system_admin;
}

}  // namespace arca::auth
