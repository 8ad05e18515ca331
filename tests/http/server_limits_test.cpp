// The HTTPS server's limits against slow, oversized, malformed and idle clients, and its
// connection cap.
#include <gtest/gtest.h>

#include <thread>

#include "http/server_fixture.h"

namespace arca::http {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // the server fixture (server_fixture.h)

TEST_F(ServerTest, OversizedHeaderIs431) {
  CurlResult r = get("/healthz", {"-H", "X-Big: " + std::string(10 * 1024, 'a')});
  EXPECT_EQ(r.status, 431);
  EXPECT_NE(r.body.find("header_too_large"), std::string::npos) << r.body;
  EXPECT_EQ(get("/healthz", {"-H", "X-Fine: " + std::string(2 * 1024, 'a')}).status, 200);
}

TEST_F(ServerTest, SlowlorisHeaderIsCutOffWithin408) {
  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
  std::string got = client->read_until_close(5s);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_LT(elapsed, 3s);
  EXPECT_GT(elapsed, 500ms);
}

TEST_F(ServerTest, MalformedRequestIs400AndUnknownMethodIs501) {
  auto bad = TlsClient::connect(server_->port());
  ASSERT_TRUE(bad && bad->handshake_ok());
  ASSERT_TRUE(bad->send("GET / HTTP/1.1\r\nBad Header\r\n\r\n"));
  std::string got = bad->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  auto brew = TlsClient::connect(server_->port());
  ASSERT_TRUE(brew && brew->handshake_ok());
  ASSERT_TRUE(brew->send("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  got = brew->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 501", 0), 0u) << got;
}

TEST_F(ServerTest, StalledBodyTimesOut) {
  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      client->send("POST /upload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                   "writer\r\nContent-Length: 1000\r\n\r\nonly a little"));
  std::string got = client->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(ServerTest, SilentTcpAndIdleKeepAliveConnectionsAreClosed) {
  auto closed = testing::idle_tcp_close_time(server_->port(), 5s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_LT(*closed, 3s);

  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::string got = client->read_until_close(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_EQ(got.find("408"), std::string::npos);  // idle close is silent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(ServerLimitsTest, ConnectionsPastTheLimitAreRefused) {
  testing::ScratchDir dir;
  Router router;
  add_routes(router);
  DenyAllAuthenticator deny;
  NullLogger log;
  SeededRandom random(1);
  ServerConfig config;
  config.tls = testing::make_test_certificate(dir.path());
  config.limits.max_connections = 2;
  Server server(config, router, deny, log, random);
  ASSERT_TRUE(server.start().ok());
  auto a = TlsClient::connect(server.port());
  auto b = TlsClient::connect(server.port());
  ASSERT_TRUE(a && a->handshake_ok() && b && b->handshake_ok());
  auto c = TlsClient::connect(server.port());
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->handshake_ok());
  a.reset();
  std::this_thread::sleep_for(200ms);
  auto d = TlsClient::connect(server.port());
  EXPECT_TRUE(d && d->handshake_ok());
}

}  // namespace
}  // namespace arca::http
