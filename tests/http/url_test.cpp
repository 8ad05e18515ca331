#include "http/url.h"

#include <gtest/gtest.h>

#include "http/headers.h"

namespace arca::http {
namespace {

TEST(Url, DecodesSegmentsAndQueryKeepingRepeatedKeysInOrder) {
  auto t = parse_target("/a/caf%C3%A9/x%2Fy?b=hello%20world&a=1&b=2&flag&tz=+0100");
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->segments, (std::vector<std::string>{"a", "café", "x/y"}));
  EXPECT_EQ(t->path, "/a/café/x/y");
  EXPECT_EQ(t->query.get("b"), "hello world");
  EXPECT_EQ(t->query.all("b"), (std::vector<std::string_view>{"hello world", "2"}));
  EXPECT_EQ(t->query.get("flag"), "");
  EXPECT_EQ(t->query.get("tz"), "+0100");  // '+' stays a plus (RFC 3986)
  EXPECT_FALSE(t->query.get("missing").has_value());
  EXPECT_EQ(t->query.items().front().first, "b");
}

TEST(Url, RootAndTrailingSlash) {
  EXPECT_TRUE(parse_target("/")->segments.empty());
  EXPECT_EQ(parse_target("/")->path, "/");
  EXPECT_EQ(parse_target("/a/")->segments, (std::vector<std::string>{"a", ""}));
}

TEST(Url, RefusesMalformedTargets) {
  for (const char* bad :
       {"", "a/b", "/a%2", "/a%zz", "/a%00b", "/a/../b", "/a/%2e%2E/b", "/./x", "/x?a=%G1"}) {
    auto t = parse_target(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Headers, CaseInsensitiveAndNoLineBreaks) {
  Headers h;
  h.add("Content-Type", "a");
  h.add("X-Multi", "1");
  h.add("x-multi", "2");
  EXPECT_EQ(h.get("content-type"), "a");
  EXPECT_EQ(h.get("X-MULTI"), "1");
  h.set("X-Multi", "3");
  EXPECT_EQ(h.fields().size(), 2u);
  h.set_default("content-TYPE", "b");
  EXPECT_EQ(h.get("Content-Type"), "a");
  h.set("X-Evil", "a\r\nSet-Cookie: x");
  EXPECT_EQ(h.get("x-evil"), "aSet-Cookie: x");
}

}  // namespace
}  // namespace arca::http
