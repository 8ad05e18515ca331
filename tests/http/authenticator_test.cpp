#include "http/authenticator.h"

#include <gtest/gtest.h>

#include <string>

#include "http/request.h"

namespace arca::http {
namespace {

Request from(std::string address) {
  return Request::create(
             RequestInit{Method::kGet, "/dicom-web/studies", {}, std::move(address), "id", nullptr})
      .take();
}

Principal dev_principal() {
  return Principal::make("dev-local", "default", {Permission::kStudyQuery, Permission::kImageRead});
}

TEST(LoopbackAddress, RecognisesLoopbackOnly) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_address("10.0.0.1"));
  EXPECT_FALSE(is_loopback_address("192.168.1.127"));
  EXPECT_FALSE(is_loopback_address("::ffff:10.0.0.1"));
  EXPECT_FALSE(is_loopback_address("::2"));
  EXPECT_FALSE(is_loopback_address("127.evil.example"));
  EXPECT_FALSE(is_loopback_address("1127.0.0.1"));
  EXPECT_FALSE(is_loopback_address(""));
}

TEST(LoopbackDevAuthenticator, GrantsItsPrincipalToLoopbackClients) {
  LoopbackDevAuthenticator auth(dev_principal());
  for (const char* address : {"127.0.0.1", "::1"}) {
    auto p = auth.authenticate(from(address));
    ASSERT_TRUE(p.ok()) << address;
    EXPECT_EQ(p->actor, "dev-local");
    EXPECT_TRUE(p->permissions.contains(Permission::kImageRead));
    EXPECT_FALSE(p->permissions.contains(Permission::kStudyDelete));
  }
}

TEST(LoopbackDevAuthenticator, RefusesEveryOtherAddress) {
  LoopbackDevAuthenticator auth(dev_principal());
  for (const char* address : {"10.1.2.3", "203.0.113.9", "::ffff:192.0.2.1", "2001:db8::1", ""}) {
    auto p = auth.authenticate(from(address));
    ASSERT_FALSE(p.ok()) << address;
    EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
  }
}

TEST(DenyAllAuthenticator, RefusesLoopbackToo) {
  DenyAllAuthenticator auth;
  auto p = auth.authenticate(from("127.0.0.1"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace arca::http
