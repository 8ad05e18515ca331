// A real Accounts over a SqliteAccountStore in a temporary directory, with a manual clock and
// cheap Argon2id parameters, and helpers to walk users through signing in.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/accounts.h"
#include "core/clock.h"
#include "core/random.h"
#include "store/sqlite/sqlite_account_store.h"
#include "test_dir.h"

namespace arca::auth::test {

inline constexpr char kPassword[] = "violet-harbour-lantern-42";

class AccountsTest : public ::testing::Test {
 protected:
  AccountsTest();

  // A user in tenant "default" whose password is kPassword and, if `enrol`, with TOTP enrolled.
  // Returns the user; `totp_secret` receives the enrolled secret.
  store::User make_user(const std::string& name, std::set<Role> roles, bool enrol = true);
  // A fully signed-in session for `name` (password, then TOTP when enrolled).
  SecretString signed_in(const std::string& name);
  // The current TOTP code for the user's secret.
  std::string code_for(const std::string& name, std::int64_t offset_seconds = 0);
  std::int64_t now_s() const;

  arca::test::TempDir dir_;
  ManualClock clock_;
  SeededRandom random_{42};
  std::unique_ptr<store::SqliteAccountStore> store_;
  std::unique_ptr<Accounts> accounts_;
  std::map<std::string, std::string> secrets_;  // username -> base32 TOTP secret
};

}  // namespace arca::auth::test
