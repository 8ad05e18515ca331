#include <gtest/gtest.h>

#include "accounts_fixture.h"

namespace arca::auth::test {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST_F(AccountsTest, TokenIsScopedExpiresAndRevokes) {
  make_user("rad", {Role::kRadiologist});
  auto me = accounts_->resolve_session(signed_in("rad"));
  ASSERT_TRUE(me.ok());
  auto t = accounts_->create_token(*me, me->user.id, "viewer plugin", {Permission::kStudyQuery},
                                   hours(1));
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->secret.reveal().rfind("arca_", 0), 0U);
  auto id = accounts_->resolve_api_token(t->secret);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->permissions, std::set<Permission>{Permission::kStudyQuery});
  EXPECT_EQ(id->actor(), "token:" + std::to_string(t->token.id));

  clock_.advance(hours(2));
  auto expired = accounts_->resolve_api_token(t->secret);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);

  auto t2 = accounts_->create_token(*accounts_->resolve_session(signed_in("rad")), me->user.id,
                                    "second", {Permission::kImageRead}, hours(1));
  ASSERT_TRUE(accounts_->revoke_token(t2->token.id).ok());
  auto revoked = accounts_->resolve_api_token(t2->secret);
  ASSERT_FALSE(revoked.ok());
  EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos);
  EXPECT_FALSE(accounts_->resolve_api_token(SecretString("arca_" + std::string(64, '0'))).ok());
}

TEST_F(AccountsTest, TokenCannotExceedItsCreator) {
  make_user("desk", {Role::kFrontDesk});
  auto me = accounts_->resolve_session(signed_in("desk"));
  auto t = accounts_->create_token(*me, me->user.id, "x", {Permission::kImageRead}, hours(1));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(accounts_->create_token(*me, me->user.id, "x", {}, hours(1)).ok());
  EXPECT_FALSE(
      accounts_->create_token(*me, me->user.id, "x", {Permission::kStudyQuery}, hours(24 * 400))
          .ok());
}

TEST_F(AccountsTest, AdminCreatesTokensForServiceAccountsOnly) {
  make_user("boss", {Role::kAdmin});
  auto rad = make_user("rad", {Role::kRadiologist});
  UserOptions svc;
  svc.service_account = true;
  auto ai = accounts_->add_user(TenantId("default"), "ai-router", {Role::kTechnologist}, svc);
  ASSERT_TRUE(ai.ok());
  EXPECT_TRUE(ai->one_time_password.reveal().empty());
  EXPECT_FALSE(accounts_->sign_in("ai-router", SecretString(""), "10.0.0.1").ok());
  auto boss = accounts_->resolve_session(signed_in("boss"));
  auto t = accounts_->create_token(*boss, ai->user.id, "router",
                                   {Permission::kStudyWrite, Permission::kStudyQuery}, hours(1));
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_FALSE(
      accounts_->create_token(*boss, rad.id, "x", {Permission::kStudyQuery}, hours(1)).ok());
  // A role change shrinks what an existing token can do.
  ASSERT_TRUE(accounts_->set_roles(ai->user.id, {Role::kFrontDesk}).ok());
  auto id = accounts_->resolve_api_token(t->secret);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->permissions, std::set<Permission>{Permission::kStudyQuery});
}

}  // namespace
}  // namespace arca::auth::test
