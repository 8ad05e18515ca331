#include "dimse/coalescing_connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <string>

namespace arca::dimse {
namespace {

// A connected socket pair: `ours` wrapped as DCMTK would (a DcmTCPConnection inside a
// CoalescingConnection), `theirs` read directly.
class CoalescingConnectionTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    theirs_ = fds[1];
    // plain: sendmsg with the held bytes; not plain (as for TLS): one joined write() through
    // the inner connection.
    conn_ = std::make_unique<CoalescingConnection>(
        fds[0], std::make_unique<DcmTCPConnection>(fds[0]), GetParam());
  }
  void TearDown() override {
    conn_.reset();
    ::close(theirs_);
  }

  ssize_t write(const std::string& s) {
    return conn_->write(const_cast<char*>(s.data()), s.size());
  }
  // What the peer can read right now, without waiting.
  std::string available() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(theirs_, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0)
        return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

  int theirs_ = -1;
  std::unique_ptr<CoalescingConnection> conn_;
};

TEST_P(CoalescingConnectionTest, AHeaderGoesOutWithTheDataAfterIt) {
  const std::string head(12, 'h');
  const std::string data(16 * 1024, 'd');
  EXPECT_EQ(write(head), 12);
  EXPECT_EQ(available(), "");  // held
  EXPECT_EQ(write(data), static_cast<ssize_t>(data.size()));
  EXPECT_EQ(available(), head + data);
  EXPECT_EQ(conn_->writes_sent(), 1u);
  EXPECT_EQ(write(data), static_cast<ssize_t>(data.size()));  // nothing held: straight through
  EXPECT_EQ(available(), data);
  EXPECT_EQ(conn_->writes_sent(), 2u);
}

TEST_P(CoalescingConnectionTest, WaitingForThePeerSendsWhatIsHeld) {
  const std::string request = "A-RELEASE-RQ";
  ASSERT_EQ(write(request), 12);
  EXPECT_FALSE(conn_->networkDataAvailable(0));  // flushed, and nothing came back yet
  EXPECT_EQ(available(), request);

  ASSERT_EQ(write(request), 12);
  ASSERT_EQ(::send(theirs_, "RP", 2, 0), 2);
  char buf[2];
  EXPECT_EQ(conn_->read(buf, 2), 2);
  EXPECT_EQ(available(), request);

  ASSERT_EQ(write(request), 12);
  conn_->isTransparentConnection();  // DCMTK may select() on the socket itself after this
  EXPECT_EQ(available(), request);

  ASSERT_EQ(write(request), 12);
  conn_.reset();  // destroyed: sent, not lost
  EXPECT_EQ(available(), request);
}

TEST_P(CoalescingConnectionTest, ManySmallWritesAreSentInOrderWhenTheHoldIsFull) {
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    std::string piece(100, static_cast<char>('a' + i % 26));
    ASSERT_EQ(write(piece), 100);
    expected += piece;
  }
  // 4096 bytes held at most: the 41st and 81st pieces send the 40 before them.
  std::string sent = available();
  EXPECT_EQ(sent.size(), 8000u);
  EXPECT_TRUE(conn_->flush());
  sent += available();
  EXPECT_TRUE(sent == expected);
}

TEST_P(CoalescingConnectionTest, AWriteToAClosedPeerFails) {
  std::signal(SIGPIPE, SIG_IGN);  // as DCMTK does when it sets up a network
  ::close(theirs_);
  theirs_ = ::dup(STDERR_FILENO);  // something for TearDown to close
  ASSERT_EQ(write("head"), 4);
  EXPECT_EQ(write(std::string(4096, 'x')), -1);
}

INSTANTIATE_TEST_SUITE_P(PlainAndJoined, CoalescingConnectionTest, ::testing::Bool());

}  // namespace
}  // namespace arca::dimse
