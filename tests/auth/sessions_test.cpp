#include <gtest/gtest.h>

#include "accounts_fixture.h"

namespace arca::auth::test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST_F(AccountsTest, IdleTimeoutEndsTheSession) {
  make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  clock_.advance(minutes(29));
  ASSERT_TRUE(accounts_->resolve_session(s).ok());  // activity keeps it alive
  clock_.advance(minutes(29));
  ASSERT_TRUE(accounts_->resolve_session(s).ok());
  clock_.advance(minutes(31));
  auto r = accounts_->resolve_session(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find("inactivity"), std::string::npos);
}

TEST_F(AccountsTest, AbsoluteTimeoutEndsEvenAnActiveSession) {
  make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  for (int i = 0; i < 12 * 3; ++i) {
    clock_.advance(minutes(20));
    auto r = accounts_->resolve_session(s);
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("expired"), std::string::npos);
      EXPECT_GE(i, 12 * 3 - 2);  // after ~12 h
      return;
    }
  }
  FAIL() << "session outlived the absolute timeout";
}

TEST_F(AccountsTest, SignOutRevokes) {
  make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  ASSERT_TRUE(accounts_->sign_out(s).ok());
  EXPECT_FALSE(accounts_->resolve_session(s).ok());
}

TEST_F(AccountsTest, CsrfTokenIsBoundToTheSession) {
  make_user("alice", {Role::kRadiologist});
  SecretString a = signed_in("alice");
  SecretString b = signed_in("alice");
  std::string ta = accounts_->csrf_token(a);
  EXPECT_EQ(ta.size(), 64U);
  EXPECT_TRUE(accounts_->check_csrf(a, ta));
  EXPECT_FALSE(accounts_->check_csrf(b, ta));
  EXPECT_FALSE(accounts_->check_csrf(a, ""));
}

TEST_F(AccountsTest, RolesGiveTheDesignTablePermissions) {
  make_user("rad", {Role::kRadiologist});
  make_user("desk", {Role::kFrontDesk});
  make_user("aud", {Role::kAuditor});
  auto rad = accounts_->resolve_session(signed_in("rad"));
  auto desk = accounts_->resolve_session(signed_in("desk"));
  auto aud = accounts_->resolve_session(signed_in("aud"));
  EXPECT_TRUE(rad->permissions.count(Permission::kImageRead));
  EXPECT_FALSE(rad->permissions.count(Permission::kAdminUsers));
  EXPECT_TRUE(desk->permissions.count(Permission::kStudyQuery));
  EXPECT_FALSE(desk->permissions.count(Permission::kImageRead));
  EXPECT_TRUE(aud->permissions.count(Permission::kAuditRead));
  EXPECT_FALSE(aud->permissions.count(Permission::kStudyQuery));
  EXPECT_FALSE(rad->study_scope.has_value());
}

TEST_F(AccountsTest, ReferringSeesOnlyGrantedStudies) {
  auto doc = make_user("doc", {Role::kReferring});
  ASSERT_TRUE(accounts_->grant_study(doc.id, StudyUid("1.2.3"), 0).ok());
  EXPECT_EQ(accounts_->grant_study(doc.id, StudyUid("1.2.3"), 0).error().code,
            ErrorCode::kAlreadyExists);
  auto id = accounts_->resolve_session(signed_in("doc"));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(id->study_scope.has_value());
  EXPECT_EQ(*id->study_scope, std::set<std::string>{"1.2.3"});
  ASSERT_TRUE(accounts_->revoke_study(doc.id, StudyUid("1.2.3")).ok());
  EXPECT_TRUE(accounts_->resolve_session(signed_in("doc"))->study_scope->empty());
}

TEST_F(AccountsTest, EveryRoleThatReadsImagesPhiOrTheAuditTrailMustEnrol) {
  for (Role role : {Role::kAdmin, Role::kRadiologist, Role::kTechnologist, Role::kReferring,
                    Role::kFrontDesk, Role::kAuditor}) {
    std::string name = "u" + std::to_string(static_cast<int>(role));
    auto added = accounts_->add_user(TenantId("default"), name, {role}, {});
    ASSERT_TRUE(added.ok());
    auto in = accounts_->sign_in(name, added->one_time_password, "10.0.0.1");
    auto changed = accounts_->change_password(in->session_id, added->one_time_password,
                                              SecretString(kPassword));
    ASSERT_TRUE(changed.ok());
    EXPECT_EQ(changed->step, SignInStep::kEnrollSecondFactor) << role_name(role);
  }
}

TEST_F(AccountsTest, TenantWithoutMandatoryMfaSkipsEnrolment) {
  store::Tenant t = **store_->find_tenant(TenantId("default"));
  t.mfa_required = false;
  ASSERT_TRUE(store_->update_tenant(t).ok());
  auto added = accounts_->add_user(TenantId("default"), "carol", {Role::kFrontDesk}, {});
  auto in = accounts_->sign_in("carol", added->one_time_password, "10.0.0.1");
  auto changed =
      accounts_->change_password(in->session_id, added->one_time_password, SecretString(kPassword));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->step, SignInStep::kDone);
}

}  // namespace
}  // namespace arca::auth::test
