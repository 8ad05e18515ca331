// AccountService's credential checks record recognised credentials that are refused: a revoked
// or expired token (at most once a minute per token), a session that timed out; unknown ones
// and accepted ones leave no record.
#include <gtest/gtest.h>

#include <mutex>

#include "../auth/accounts_fixture.h"
#include "core/logger.h"
#include "service/account_service.h"

namespace arca::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class Events final : public audit::AuditRecorder {
 public:
  Result<void> record(const audit::AuditEvent& e) override {
    std::lock_guard lock(mu);
    events.push_back(e);
    return ok();
  }
  std::mutex mu;
  std::vector<audit::AuditEvent> events;
};

class CredentialAuditTest : public auth::test::AccountsTest {
 protected:
  CredentialAuditTest() : service_(AccountDeps{*accounts_, audit_, clock_, logger_}) {
    ctx_.client_address = "127.0.0.1:40000";
    ctx_.request_id = "req-1";
  }

  auth::NewToken token_for(const std::string& name) {
    make_user(name, {Role::kRadiologist});
    auto me = accounts_->resolve_session(signed_in(name));
    auto t =
        accounts_->create_token(*me, me->user.id, "bridge", {Permission::kStudyQuery}, hours(1));
    EXPECT_TRUE(t.ok());
    return std::move(t).value();
  }

  Events audit_;
  NullLogger logger_;
  AccountService service_;
  RequestContext ctx_;
};

TEST_F(CredentialAuditTest, RevokedTokenIsRecordedAtMostOnceAMinute) {
  auth::NewToken t = token_for("rad");
  ASSERT_TRUE(service_.authenticate_token(ctx_, t.secret).ok());
  EXPECT_TRUE(audit_.events.empty());  // an accepted token is not a record of its own
  ASSERT_TRUE(accounts_->revoke_token(t.token.id).ok());

  for (int i = 0; i < 6; ++i) {
    auto r = service_.authenticate_token(ctx_, t.secret);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    clock_.advance(seconds(5));
  }
  ASSERT_EQ(audit_.events.size(), 1U);
  const audit::AuditEvent& first = audit_.events[0];
  EXPECT_EQ(first.actor, "token:" + std::to_string(t.token.id));
  EXPECT_EQ(first.tenant.str(), "default");
  EXPECT_EQ(first.action, AuditAction::kLogin);
  EXPECT_EQ(first.outcome, audit::Outcome::kFailure);
  EXPECT_EQ(first.error_code, "unauthenticated");
  EXPECT_EQ(first.detail, "API token refused: API token revoked");
  EXPECT_EQ(first.client_address, "127.0.0.1:40000");
  EXPECT_EQ(first.request_id, "req-1");

  clock_.advance(minutes(1));
  EXPECT_FALSE(service_.authenticate_token(ctx_, t.secret).ok());
  ASSERT_EQ(audit_.events.size(), 2U);
  EXPECT_EQ(audit_.events[1].detail,
            "API token refused: API token revoked (5 more refusals since the last record)");
}

TEST_F(CredentialAuditTest, ExpiredTokenIsRecordedAndUnknownTokenIsNot) {
  auth::NewToken t = token_for("rad");
  EXPECT_FALSE(
      service_.authenticate_token(ctx_, SecretString("arca_" + std::string(64, '0'))).ok());
  EXPECT_TRUE(audit_.events.empty());
  clock_.advance(hours(2));
  EXPECT_FALSE(service_.authenticate_token(ctx_, t.secret).ok());
  ASSERT_EQ(audit_.events.size(), 1U);
  EXPECT_EQ(audit_.events[0].detail, "API token refused: API token expired");
}

TEST_F(CredentialAuditTest, TimedOutSessionIsRecordedOnceAsItsEnd) {
  make_user("alice", {Role::kRadiologist});
  SecretString s = signed_in("alice");
  auto me = service_.authenticate_session(ctx_, s);
  ASSERT_TRUE(me.ok());
  EXPECT_TRUE(audit_.events.empty());
  clock_.advance(minutes(31));
  EXPECT_FALSE(service_.authenticate_session(ctx_, s).ok());
  EXPECT_FALSE(service_.authenticate_session(ctx_, s).ok());  // gone now: unknown, no record
  EXPECT_FALSE(service_.authenticate_session(ctx_, SecretString("not-a-session")).ok());
  ASSERT_EQ(audit_.events.size(), 1U);
  const audit::AuditEvent& e = audit_.events[0];
  EXPECT_EQ(e.actor, "user:" + std::to_string(me->user.id));
  EXPECT_EQ(e.tenant.str(), "default");
  EXPECT_EQ(e.action, AuditAction::kLogout);
  EXPECT_EQ(e.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(e.detail, "session ended: session timed out after inactivity");
}

}  // namespace
}  // namespace arca::service
