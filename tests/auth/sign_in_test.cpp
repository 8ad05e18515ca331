#include <gtest/gtest.h>

#include "accounts_fixture.h"
#include "auth/policy.h"

namespace arca::auth::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST_F(AccountsTest, FirstRunAdminMustChangePasswordThenEnrol) {
  auto first = accounts_->ensure_first_admin();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->user.username, "admin");
  EXPECT_TRUE((*first)->user.system_admin);
  EXPECT_TRUE(accounts_->ensure_first_admin()->has_value() == false);  // only once

  auto in = accounts_->sign_in("admin", (*first)->one_time_password, "10.0.0.1");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->step, SignInStep::kChangePassword);
  auto identity = accounts_->resolve_session(in->session_id);
  ASSERT_TRUE(identity.ok());
  EXPECT_TRUE(identity->permissions.empty());  // nothing until every step is done

  EXPECT_FALSE(accounts_->begin_enrolment(in->session_id).ok());  // password first
  auto changed = accounts_->change_password(in->session_id, (*first)->one_time_password,
                                            SecretString(kPassword));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->step, SignInStep::kEnrollSecondFactor);
  EXPECT_FALSE(accounts_->resolve_session(in->session_id).ok());  // old session revoked

  auto e = accounts_->begin_enrolment(changed->session_id);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->otpauth_uri.rfind("otpauth://totp/Arca:admin?secret=", 0), 0U);
  secrets_["admin"] = e->secret_base32;
  EXPECT_FALSE(accounts_->confirm_enrolment(changed->session_id, "000000").ok());
  auto codes = accounts_->confirm_enrolment(changed->session_id, code_for("admin"));
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(codes->recovery_codes.size(), 10U);
  EXPECT_FALSE(accounts_->resolve_session(changed->session_id).ok());  // renewed
  auto done = accounts_->resolve_session(codes->session.session_id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->step, SignInStep::kDone);
  EXPECT_TRUE(done->permissions.count(Permission::kAdminUsers));
}

TEST_F(AccountsTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  make_user("alice", {Role::kRadiologist});
  auto wrong = accounts_->sign_in("alice", SecretString("not-her-password-at-all"), "10.0.0.2");
  auto unknown = accounts_->sign_in("mallory", SecretString(kPassword), "10.0.0.2");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(AccountsTest, PasswordAloneGrantsNothingWhenTotpIsEnrolled) {
  make_user("alice", {Role::kRadiologist});
  auto in = accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.1");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->step, SignInStep::kSecondFactor);
  auto id = accounts_->resolve_session(in->session_id);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->step, SignInStep::kSecondFactor);
  EXPECT_TRUE(id->permissions.empty());
}

TEST_F(AccountsTest, TotpCodeWorksOnceAndWithinOneStep) {
  make_user("alice", {Role::kRadiologist});
  auto a = accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.1");
  std::string code = code_for("alice");
  auto first = accounts_->verify_second_factor(a->session_id, code);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->step, SignInStep::kDone);
  // The session was renewed: the pre-second-factor id no longer works, the new one does.
  EXPECT_FALSE(accounts_->resolve_session(a->session_id).ok());
  EXPECT_EQ(accounts_->resolve_session(first->session_id)->step, SignInStep::kDone);
  auto b = accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.1");
  auto replay = accounts_->verify_second_factor(b->session_id, code);
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.error().message.find("already used"), std::string::npos);
  clock_.advance(seconds(30));
  // The previous step's code is still accepted once (clock skew), older ones are not.
  EXPECT_FALSE(accounts_->verify_second_factor(b->session_id, code_for("alice", -60)).ok());
  EXPECT_TRUE(accounts_->verify_second_factor(b->session_id, code_for("alice", 30)).ok());
}

TEST_F(AccountsTest, RecoveryCodeWorksOnce) {
  auto added = accounts_->add_user(TenantId("default"), "bob", {Role::kTechnologist}, {});
  auto in = accounts_->sign_in("bob", added->one_time_password, "10.0.0.1");
  auto changed =
      accounts_->change_password(in->session_id, added->one_time_password, SecretString(kPassword));
  auto e = accounts_->begin_enrolment(changed->session_id);
  secrets_["bob"] = e->secret_base32;
  auto codes = accounts_->confirm_enrolment(changed->session_id, code_for("bob"));
  ASSERT_TRUE(codes.ok());
  std::string recovery = codes->recovery_codes.at(3);
  auto s1 = accounts_->sign_in("bob", SecretString(kPassword), "10.0.0.1");
  EXPECT_EQ(accounts_->verify_second_factor(s1->session_id, recovery)->step, SignInStep::kDone);
  auto s2 = accounts_->sign_in("bob", SecretString(kPassword), "10.0.0.1");
  auto again = accounts_->verify_second_factor(s2->session_id, recovery);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already used"), std::string::npos);
  EXPECT_EQ(*store_->unused_recovery_codes((*store_->find_user_by_name("bob"))->id), 9);
}

TEST_F(AccountsTest, AccountLocksAfterRepeatedFailuresAndUnlocksWithTime) {
  make_user("alice", {Role::kRadiologist});
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(accounts_->sign_in("alice", SecretString("wrong-password-x"), "10.0.0.3").ok());
  auto locked = accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.4");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, ErrorCode::kRateLimited);
  EXPECT_NE(locked.error().message.find("account locked"), std::string::npos);
  clock_.advance(seconds(31));
  EXPECT_TRUE(accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.4").ok());
}

TEST_F(AccountsTest, AddressBacksOffAfterManyFailures) {
  make_user("alice", {Role::kRadiologist});
  for (int i = 0; i < 20; ++i)
    (void)accounts_->sign_in("user" + std::to_string(i), SecretString("guess-guess-1"), "6.6.6.6");
  auto blocked = accounts_->sign_in("alice", SecretString(kPassword), "6.6.6.6");
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kRateLimited);
  EXPECT_TRUE(accounts_->sign_in("alice", SecretString(kPassword), "10.9.9.9").ok());
}

TEST_F(AccountsTest, DisabledAccountCannotSignInAndLosesSessions) {
  auto alice = make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  ASSERT_TRUE(accounts_->set_disabled(alice.id, true).ok());
  EXPECT_FALSE(accounts_->resolve_session(s).ok());
  auto in = accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.1");
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(AccountsTest, ChangingPasswordRevokesEverySession) {
  make_user("alice", {Role::kRadiologist});
  SecretString one = signed_in("alice");
  SecretString two = signed_in("alice");
  auto changed = accounts_->change_password(two, SecretString(kPassword),
                                            SecretString("another-long-passphrase-7"));
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(accounts_->resolve_session(one).ok());
  EXPECT_FALSE(accounts_->resolve_session(two).ok());
  EXPECT_TRUE(accounts_->resolve_session(changed->session_id).ok());
}

TEST_F(AccountsTest, NewPasswordMustPassThePolicy) {
  make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  auto weak = accounts_->change_password(s, SecretString(kPassword), SecretString("password1234"));
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, ErrorCode::kInvalidArgument);
  auto wrong = accounts_->change_password(s, SecretString("not-the-password"),
                                          SecretString("another-long-passphrase-7"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AccountsTest, AdminResetOfSecondFactorForcesReEnrolment) {
  auto alice = make_user("alice", {Role::kRadiologist});
  ASSERT_TRUE(accounts_->reset_second_factor(alice.id).ok());
  auto in = accounts_->sign_in("alice", SecretString(kPassword), "10.0.0.1");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(in->step, SignInStep::kEnrollSecondFactor);
}

TEST_F(AccountsTest, NothingSecretIsStoredInClear) {
  auto alice = make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  store::User stored = **store_->find_user(alice.id);
  EXPECT_EQ(stored.password_hash.rfind("$argon2id$", 0), 0U);
  EXPECT_EQ(stored.password_hash.find(kPassword), std::string::npos);
  std::string wrapped(stored.totp_secret_wrapped.begin(), stored.totp_secret_wrapped.end());
  EXPECT_EQ(wrapped.find(secrets_["alice"]), std::string::npos);
  // The session id itself does not find the session; only its keyed digest does.
  Bytes raw(s.reveal().begin(), s.reveal().end());
  EXPECT_FALSE(store_->find_session(raw)->has_value());
}

}  // namespace
}  // namespace arca::auth::test
