#include "accounts_fixture.h"

#include <liboath/oath.h>

#include <cstdlib>

#include "crypto/totp.h"

namespace arca::auth::test {

AccountsTest::AccountsTest() : clock_(Clock::TimePoint(std::chrono::seconds(1800000000))) {
  auto s = store::SqliteAccountStore::open(dir_.path() / "index.db", SecretBytes(Bytes(32, 9)));
  EXPECT_TRUE(s.ok());
  store_ = std::move(s).take();
  AuthSettings settings;
  settings.argon2 = crypto::Argon2Params{8 * 1024, 1, 1};
  accounts_ =
      std::make_unique<Accounts>(*store_, clock_, random_, SecretBytes(Bytes(32, 3)), settings);
  EXPECT_TRUE(accounts_->add_tenant(TenantId("default"), "Default").ok());
}

std::int64_t AccountsTest::now_s() const {
  return to_unix_ms(clock_.now()) / 1000;
}

store::User AccountsTest::make_user(const std::string& name, std::set<Role> roles, bool enrol) {
  auto added = accounts_->add_user(TenantId("default"), name, roles, {});
  EXPECT_TRUE(added.ok()) << added.error().to_string();
  auto in = accounts_->sign_in(name, added->one_time_password, "10.0.0.1");
  EXPECT_TRUE(in.ok());
  auto changed =
      accounts_->change_password(in->session_id, added->one_time_password, SecretString(kPassword));
  EXPECT_TRUE(changed.ok()) << changed.error().to_string();
  if (enrol && changed->step == SignInStep::kEnrollSecondFactor) {
    auto e = accounts_->begin_enrolment(changed->session_id);
    EXPECT_TRUE(e.ok());
    secrets_[name] = e->secret_base32;
    auto codes = accounts_->confirm_enrolment(changed->session_id, code_for(name));
    EXPECT_TRUE(codes.ok()) << codes.error().to_string();
    clock_.advance(std::chrono::seconds(30));  // the enrolment code's step is used
  }
  return **store_->find_user_by_name(name);
}

std::string AccountsTest::code_for(const std::string& name, std::int64_t offset_seconds) {
  const std::string& b32 = secrets_.at(name);
  char* raw = nullptr;
  std::size_t len = 0;
  EXPECT_EQ(oath_base32_decode(b32.data(), b32.size(), &raw, &len), OATH_OK);
  SecretBytes secret(Bytes(raw, raw + len));
  std::free(raw);
  return *crypto::totp_code(secret, now_s() + offset_seconds);
}

SecretString AccountsTest::signed_in(const std::string& name) {
  auto in = accounts_->sign_in(name, SecretString(kPassword), "10.0.0.1");
  EXPECT_TRUE(in.ok()) << in.error().to_string();
  if (in->step == SignInStep::kSecondFactor) {
    auto renewed = accounts_->verify_second_factor(in->session_id, code_for(name));
    EXPECT_TRUE(renewed.ok()) << renewed.error().to_string();
    clock_.advance(std::chrono::seconds(30));
    return std::move(renewed->session_id);
  }
  return std::move(in->session_id);
}

}  // namespace arca::auth::test
