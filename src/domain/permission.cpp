#include "domain/permission.h"

#include <array>
#include <utility>

namespace arca {
namespace {

constexpr std::array<std::pair<Permission, std::string_view>, 12> kPermissionNames{{
    {Permission::kStudyQuery, "study.query"},
    {Permission::kImageRead, "image.read"},
    {Permission::kStudyWrite, "study.write"},
    {Permission::kDocumentWrite, "document.write"},
    {Permission::kStudyShare, "study.share"},
    {Permission::kStudyExport, "study.export"},
    {Permission::kStudyDelete, "study.delete"},
    {Permission::kPatientErase, "patient.erase"},
    {Permission::kAuditRead, "audit.read"},
    {Permission::kAdminUsers, "admin.users"},
    {Permission::kAdminPeers, "admin.peers"},
    {Permission::kAdminSettings, "admin.settings"},
}};

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoleNames{{
    {Role::kAdmin, "admin"},
    {Role::kRadiologist, "radiologist"},
    {Role::kTechnologist, "technologist"},
    {Role::kReferring, "referring"},
    {Role::kFrontDesk, "front_desk"},
    {Role::kAuditor, "auditor"},
}};

}  // namespace

bool role_grants(Role role, Permission p) {
  using P = Permission;
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kRadiologist:
      return p == P::kStudyQuery || p == P::kImageRead || p == P::kStudyWrite ||
             p == P::kDocumentWrite || p == P::kStudyShare || p == P::kStudyExport;
    case Role::kTechnologist:
      return p == P::kStudyQuery || p == P::kImageRead || p == P::kStudyWrite ||
             p == P::kDocumentWrite;
    case Role::kReferring:
      return p == P::kStudyQuery || p == P::kImageRead;
    case Role::kFrontDesk:
      return p == P::kStudyQuery || p == P::kDocumentWrite;
    case Role::kAuditor:
      return p == P::kAuditRead;
  }
  return false;
}

std::string_view permission_name(Permission p) {
  for (const auto& [perm, name] : kPermissionNames) {
    if (perm == p)
      return name;
  }
  return "unknown";
}

std::optional<Permission> parse_permission(std::string_view name) {
  for (const auto& [perm, n] : kPermissionNames) {
    if (n == name)
      return perm;
  }
  return std::nullopt;
}

std::string_view role_name(Role r) {
  for (const auto& [role, name] : kRoleNames) {
    if (role == r)
      return name;
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [role, n] : kRoleNames) {
    if (n == name)
      return role;
  }
  return std::nullopt;
}

}  // namespace arca
