#include "domain/permission.h"

#include <gtest/gtest.h>

namespace arca {
namespace {

TEST(PermissionTest, MatchesDesignTable) {
  EXPECT_TRUE(role_grants(Role::kAdmin, Permission::kPatientErase));
  EXPECT_TRUE(role_grants(Role::kRadiologist, Permission::kStudyShare));
  EXPECT_FALSE(role_grants(Role::kRadiologist, Permission::kStudyDelete));
  EXPECT_FALSE(role_grants(Role::kTechnologist, Permission::kStudyShare));
  EXPECT_FALSE(role_grants(Role::kFrontDesk, Permission::kImageRead));
  EXPECT_TRUE(role_grants(Role::kFrontDesk, Permission::kDocumentWrite));
  EXPECT_FALSE(role_grants(Role::kFrontDesk, Permission::kStudyWrite));
  EXPECT_TRUE(role_grants(Role::kAuditor, Permission::kAuditRead));
  EXPECT_FALSE(role_grants(Role::kAuditor, Permission::kStudyQuery));
}

TEST(PermissionTest, NamesRoundTrip) {
  for (auto p : {Permission::kStudyQuery, Permission::kAdminSettings, Permission::kImageRead}) {
    EXPECT_EQ(parse_permission(permission_name(p)), p);
  }
  EXPECT_EQ(parse_role("front_desk"), Role::kFrontDesk);
  EXPECT_FALSE(parse_role("root").has_value());
}

}  // namespace
}  // namespace arca
