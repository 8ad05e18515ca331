#include "auth/password_policy.h"

#include <gtest/gtest.h>

namespace arca::auth {
namespace {

TEST(PasswordPolicy, AcceptsALongUncommonPassphrase) {
  EXPECT_TRUE(check_new_password(SecretString("violet-harbour-lantern-42"), "alice", 12).ok());
}

TEST(PasswordPolicy, RefusesShortCommonAndUsernamePasswords) {
  auto short_pw = check_new_password(SecretString("Tr0ub4dor&3"), "alice", 12);
  ASSERT_FALSE(short_pw.ok());
  EXPECT_NE(short_pw.error().message.find("at least 12"), std::string::npos);
  auto common = check_new_password(SecretString("QAZwsxEDCrfv"), "alice", 12);
  ASSERT_FALSE(common.ok());
  EXPECT_NE(common.error().message.find("commonly used"), std::string::npos);
  EXPECT_FALSE(check_new_password(SecretString("Password1234"), "alice", 8).ok());
  EXPECT_FALSE(check_new_password(SecretString("dr.alice.smith"), "Dr.Alice.Smith", 12).ok());
  EXPECT_FALSE(check_new_password(SecretString(std::string(300, 'x')), "alice", 12).ok());
}

TEST(PasswordPolicy, CommonListIsCaseInsensitiveAndLoaded) {
  EXPECT_TRUE(is_common_password("password"));
  EXPECT_TRUE(is_common_password("BASEBALL"));
  EXPECT_TRUE(is_common_password("trustno1"));
  EXPECT_FALSE(is_common_password("violet-harbour-lantern-42"));
}

}  // namespace
}  // namespace arca::auth
