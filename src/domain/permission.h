// Permissions and roles (DESIGN §5). Deny by default: a role has exactly the permissions
// listed in role_grants(); anything not listed is refused.
#pragma once

#include <optional>
#include <string_view>

namespace arca {

enum class Permission {
  kStudyQuery,     // list studies, read demographics
  kImageRead,      // pixels, WADO, C-MOVE/C-GET, export of images
  kStudyWrite,     // store instances
  kDocumentWrite,  // attach clinical documents to a study
  kStudyShare,
  kStudyExport,
  kStudyDelete,
  kPatientErase,
  kAuditRead,
  kAdminUsers,
  kAdminPeers,
  kAdminSettings,
};

enum class Role { kAdmin, kRadiologist, kTechnologist, kReferring, kFrontDesk, kAuditor };

// Whether the role carries the permission at all. For kReferring, study-level permissions are
// further limited to granted studies by the policy.
bool role_grants(Role role, Permission permission);

std::string_view permission_name(Permission p);  // "study.query"
std::optional<Permission> parse_permission(std::string_view name);
std::string_view role_name(Role r);  // "front_desk"
std::optional<Role> parse_role(std::string_view name);

}  // namespace arca
