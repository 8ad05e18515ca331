#include "http/redirect_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace arca::http {
namespace {

TEST(RedirectFor, GetAndHeadAre301OthersAre308) {
  RedirectAnswer a = redirect_for(
      "GET /viewer?StudyInstanceUIDs=1.2 HTTP/1.1\r\nHost: pacs.example\r\n\r\n", 8443);
  EXPECT_EQ(a.status, 301);
  EXPECT_EQ(a.location, "https://pacs.example:8443/viewer?StudyInstanceUIDs=1.2");
  RedirectAnswer h = redirect_for("HEAD / HTTP/1.1\r\nhost: pacs.example:80\r\n\r\n", 443);
  EXPECT_EQ(h.status, 301);
  EXPECT_EQ(h.location, "https://pacs.example/");
  RedirectAnswer p =
      redirect_for("POST /dicom-web/studies HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 8443);
  EXPECT_EQ(p.status, 308);
  EXPECT_EQ(p.location, "https://[::1]:8443/dicom-web/studies");
}

TEST(RedirectFor, BadHostOrTargetIs400) {
  for (std::string_view head : {
           "GET / HTTP/1.1\r\n\r\n",                          // no Host
           "GET / HTTP/1.1\r\nHost: evil.example/x\r\n\r\n",  // path in Host
           "GET / HTTP/1.1\r\nHost: a@evil.example\r\n\r\n",  // userinfo
           "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",    // two Hosts
           "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",       // absolute-form
           "GET //evil.example HTTP/1.1\r\nHost: x\r\n\r\n",  // would be fine: path
           "GARBAGE\r\n\r\n",
       }) {
    RedirectAnswer a = redirect_for(head, 8443);
    if (head.starts_with("GET //"))
      EXPECT_EQ(a.location, "https://x:8443//evil.example");  // stays on our host
    else
      EXPECT_EQ(a.status, 400) << head;
  }
}

// Sends raw bytes to the listener and returns everything it answers before closing.
std::string exchange(std::uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

class RedirectServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RedirectConfig config;
    config.https_port = 8443;
    config.timeout = std::chrono::milliseconds(500);
    server_ = std::make_unique<RedirectServer>(config, logger_);
    ASSERT_TRUE(server_->start().ok());
  }
  NullLogger logger_;
  std::unique_ptr<RedirectServer> server_;
};

TEST_F(RedirectServerTest, AnswersOnlyWithRedirects) {
  std::string get = exchange(server_->port(), "GET /app/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_TRUE(get.starts_with("HTTP/1.1 301 ")) << get;
  EXPECT_NE(get.find("\r\nLocation: https://localhost:8443/app/\r\n"), std::string::npos);
  EXPECT_NE(get.find("\r\nContent-Length: 0\r\n"), std::string::npos);
  EXPECT_NE(get.find("\r\nConnection: close\r\n"), std::string::npos);
  std::string post = exchange(server_->port(),
                              "POST /dicom-web/studies HTTP/1.1\r\nHost: localhost\r\n"
                              "Content-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(post.starts_with("HTTP/1.1 308 ")) << post;
  EXPECT_EQ(post.find("hello"), std::string::npos);  // the body is never served back
  std::string no_host = exchange(server_->port(), "GET / HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(no_host.starts_with("HTTP/1.1 400 ")) << no_host;
  EXPECT_EQ(no_host.find("Location"), std::string::npos);
}

TEST_F(RedirectServerTest, OversizedHeadIs431AndSilentClientsAreDropped) {
  std::string big = exchange(server_->port(), "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                                                  std::string(10 * 1024, 'a') + "\r\n\r\n");
  EXPECT_TRUE(big.starts_with("HTTP/1.1 431 ")) << big.substr(0, 40);
  auto start = std::chrono::steady_clock::now();
  std::string silent = exchange(server_->port(), "GET / HTTP/1.1\r\n");  // head never ends
  EXPECT_EQ(silent, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace arca::http
