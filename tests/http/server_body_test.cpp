// The HTTPS server streaming large request and response bodies, within the route's limit,
// in bounded memory.
#include <gtest/gtest.h>

#include "http/server_fixture.h"

namespace arca::http {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // the server fixture (server_fixture.h)

TEST_F(ServerTest, StreamsA50MiBUploadThroughAnIncrementalHash) {
  auto file = dir_.path() / "upload.bin";
  std::string expected = write_pattern_file(file, 50 * kMiB);
  reset_peak_rss();
  std::uint64_t before = peak_rss_kib();
  CurlResult r = get(
      "/upload", {"-H", "Authorization: Bearer writer", "-H",
                  "Content-Type: application/octet-stream", "--data-binary", "@" + file.string()});
  std::uint64_t growth_kib = peak_rss_kib() - before;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, expected + " " + std::to_string(50 * kMiB));
#ifndef __SANITIZE_ADDRESS__  // ASan's quarantine keeps freed TLS/parser buffers resident
  EXPECT_LT(growth_kib, 16 * 1024u) << "the server seems to buffer the body";
#else
  (void)growth_kib;
#endif

  CurlResult chunked =
      get("/upload", {"-H", "Authorization: Bearer writer", "-H", "Transfer-Encoding: chunked",
                      "--data-binary", "@" + file.string()});
  EXPECT_EQ(chunked.status, 200);
  EXPECT_EQ(chunked.body, expected + " " + std::to_string(50 * kMiB));
}

TEST_F(ServerTest, BodyOverRouteLimitIs413) {
  auto file = dir_.path() / "two.bin";
  (void)write_pattern_file(file, 2 * kMiB);
  std::vector<std::string> auth = {"-H", "Authorization: Bearer writer", "--data-binary",
                                   "@" + file.string()};
  CurlResult refused = get("/small", auth);
  EXPECT_EQ(refused.status, 413);
  EXPECT_NE(refused.body.find("request body too large"), std::string::npos) << refused.body;
  auto chunked = auth;
  chunked.insert(chunked.end(), {"-H", "Transfer-Encoding: chunked"});
  EXPECT_EQ(get("/small", chunked).status, 413);
  auto no_expect = auth;
  no_expect.insert(no_expect.end(), {"-H", "Expect:"});
  EXPECT_EQ(get("/small", no_expect).status, 413);
  // A body must not reach an unauthenticated route handler.
  EXPECT_EQ(get("/upload", {"--data-binary", "@" + file.string()}).status, 401);
  EXPECT_EQ(get("/small", {"-H", "Authorization: Bearer writer", "-d", "tiny"}).status, 200);
}

TEST_F(ServerTest, StreamsALargeResponse) {
  constexpr std::uint64_t kSize = 64 * kMiB;
  PatternSource src(kSize);
  std::size_t max_chunk = 0;
  std::uint64_t total = 0;
  std::string expected = sha256_hex_of(src, &max_chunk, &total);
  for (std::string query :
       {"?size=" + std::to_string(kSize), "?known=1&size=" + std::to_string(kSize)}) {
    CurlResult r = get("/big" + query);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body.size(), kSize);
    MemorySource body(as_bytes(r.body));
    std::size_t c = 0;
    std::uint64_t t = 0;
    EXPECT_EQ(sha256_hex_of(body, &c, &t), expected);
    EXPECT_EQ(r.header("Content-Security-Policy"), "default-src 'none'");  // route override
    if (query.find("known") != std::string::npos)
      EXPECT_EQ(r.header("Content-Length"), std::to_string(kSize));
    else
      EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
  }
}

}  // namespace
}  // namespace arca::http
