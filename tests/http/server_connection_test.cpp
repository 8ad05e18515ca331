// The HTTPS server's connections: keep-alive, TLS versions, parallel clients, a prompt stop and
// a certificate that cannot be loaded.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "http/server_fixture.h"

namespace arca::http {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // the server fixture (server_fixture.h)

TEST_F(ServerTest, KeepAliveServesSequentialRequests) {
  std::vector<std::string> args;
  for (int i = 0; i < 20; ++i)
    args.insert(args.end(), {"--next", "-k", "-sS", "-o", "/dev/null", url("/healthz")});
  CurlResult r = get("/healthz", args);
  EXPECT_EQ(r.exit_code, 0);
  // The server logs a request after its answer is sent: the last line may trail curl's exit.
  std::size_t served = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       served < 21 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(20ms)) {
    served = 0;
    for (const auto& line : log_.lines())
      served += line.find("http GET /healthz 200") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(served, 21u);
}

TEST_F(ServerTest, OldTlsVersionsAreRefused) {
  auto tls11 = TlsClient::connect(server_->port(), TLS1_1_VERSION);
  ASSERT_TRUE(tls11);
  EXPECT_FALSE(tls11->handshake_ok());
  auto tls10 = TlsClient::connect(server_->port(), TLS1_VERSION);
  ASSERT_TRUE(tls10);
  EXPECT_FALSE(tls10->handshake_ok());
  auto tls12 = TlsClient::connect(server_->port(), TLS1_2_VERSION);
  ASSERT_TRUE(tls12);
  EXPECT_TRUE(tls12->handshake_ok());
  CurlResult curl11 = get("/healthz", {"--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0"});
  EXPECT_NE(curl11.exit_code, 0);
  EXPECT_EQ(curl11.status, 0);
  EXPECT_EQ(get("/healthz", {"--tlsv1.2", "--tls-max", "1.2"}).status, 200);
}

TEST_F(ServerTest, ThirtyTwoParallelRequestsAllSucceed) {
  auto file = dir_.path() / "one.bin";
  std::string expected = write_pattern_file(file, 1 * kMiB);
  std::vector<std::unique_ptr<PendingCurl>> pending;
  for (int i = 0; i < 32; ++i) {
    if (i % 2 == 0) {
      pending.push_back(std::make_unique<PendingCurl>(
          dir_.path(), url("/echo/a/b?q=" + std::to_string(i)), std::vector<std::string>{}));
    } else {
      pending.push_back(std::make_unique<PendingCurl>(
          dir_.path(), url("/upload"),
          std::vector<std::string>{"-H", "Authorization: Bearer writer", "--data-binary",
                                   "@" + file.string()}));
    }
  }
  for (int i = 0; i < 32; ++i) {
    CurlResult r = pending[static_cast<std::size_t>(i)]->finish();
    EXPECT_EQ(r.status, 200) << i;
    if (i % 2 == 0)
      EXPECT_EQ(r.body, "a=a;b=b;q=" + std::to_string(i));
    else
      EXPECT_EQ(r.body, expected + " " + std::to_string(kMiB));
  }
}

TEST_F(ServerTest, StopClosesIdleConnectionsPromptly) {
  auto client = TlsClient::connect(server_->port());
  ASSERT_TRUE(client && client->handshake_ok());
  auto start = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_NE(get("/healthz").exit_code, 0);
}

TEST(ServerConfigTest, BadCertificateFailsToStart) {
  testing::ScratchDir dir;
  Router router;
  DenyAllAuthenticator deny;
  NullLogger log;
  SeededRandom random(1);
  ServerConfig config;
  config.tls = {dir.path() / "missing.pem", dir.path() / "missing.key"};
  Server server(config, router, deny, log, random);
  auto r = server.start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace arca::http
