#include "dimse/connection_setup.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace arca::dimse {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxAssociateRq = std::size_t{1} << 20;  // DCMTK's own default limit
constexpr std::uint8_t kAssociateRqType = 0x01;

class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout) : end_(Clock::now() + timeout) {}
  // Waits until fd is ready for `events` or the deadline passes.
  Result<void> wait(int fd, short events) const {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - Clock::now());
      if (left.count() <= 0)
        return make_error(ErrorCode::kTimeout, "peer too slow to open the association");
      pollfd p{fd, events, 0};
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n > 0)
        return ok();
      if (n < 0 && errno != EINTR)
        return make_error(ErrorCode::kIo, "poll failed");
    }
  }

 private:
  Clock::time_point end_;
};

Result<void> set_blocking(int fd, bool blocking) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0)
    return make_error(ErrorCode::kIo, "fcntl failed");
  flags = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) != 0)
    return make_error(ErrorCode::kIo, "fcntl failed");
  return ok();
}

// Retries an SSL call until it completes, waiting for the socket as OpenSSL asks.
template <typename F>
Result<int> ssl_retry(ssl_st* ssl, int fd, const Deadline& deadline, F&& call) {
  for (;;) {
    ERR_clear_error();
    int r = call();
    if (r > 0)
      return r;
    int err = SSL_get_error(ssl, r);
    if (err == SSL_ERROR_WANT_READ) {
      ARCA_TRY(deadline.wait(fd, POLLIN));
    } else if (err == SSL_ERROR_WANT_WRITE) {
      ARCA_TRY(deadline.wait(fd, POLLOUT));
    } else if (err == SSL_ERROR_ZERO_RETURN) {
      return 0;
    } else {
      return make_error(ErrorCode::kPermissionDenied, "TLS handshake or read failed");
    }
  }
}

Result<std::size_t> read_some(PreparedConnection& c, const Deadline& deadline, std::uint8_t* buf,
                              std::size_t n) {
  if (c.ssl) {
    int max = static_cast<int>(std::min<std::size_t>(n, 1 << 20));
    return static_cast<std::size_t>(ARCA_TRY(
        ssl_retry(c.ssl.get(), c.fd, deadline, [&] { return SSL_read(c.ssl.get(), buf, max); })));
  }
  for (;;) {
    ssize_t r = ::recv(c.fd, buf, n, 0);
    if (r >= 0)
      return static_cast<std::size_t>(r);
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      ARCA_TRY(deadline.wait(c.fd, POLLIN));
    } else if (errno != EINTR) {
      return make_error(ErrorCode::kIo, "connection reset");
    }
  }
}

Result<void> read_exact(PreparedConnection& c, const Deadline& deadline, std::uint8_t* buf,
                        std::size_t n) {
  while (n > 0) {
    std::size_t got = ARCA_TRY(read_some(c, deadline, buf, n));
    if (got == 0)
      return make_error(ErrorCode::kIo, "peer closed the connection");
    buf += got;
    n -= got;
  }
  return ok();
}

std::string certificate_sha256(ssl_st* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr)
    return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::string out;
  if (X509_digest(cert, EVP_sha256(), md, &len) == 1)
    out = to_hex(ByteView(md, len));
  X509_free(cert);
  return out;
}

Result<void> read_associate_rq(PreparedConnection& c, const Deadline& deadline) {
  c.associate_rq.resize(6);
  ARCA_TRY(read_exact(c, deadline, c.associate_rq.data(), 6));
  if (c.associate_rq[0] != kAssociateRqType)
    return make_error(ErrorCode::kInvalidArgument, "first PDU is not an A-ASSOCIATE-RQ");
  std::size_t length = (std::size_t{c.associate_rq[2]} << 24) |
                       (std::size_t{c.associate_rq[3]} << 16) |
                       (std::size_t{c.associate_rq[4]} << 8) | c.associate_rq[5];
  if (length > kMaxAssociateRq)
    return make_error(ErrorCode::kInvalidArgument, "A-ASSOCIATE-RQ too large");
  c.associate_rq.resize(6 + length);
  return read_exact(c, deadline, c.associate_rq.data() + 6, length);
}

}  // namespace

void SslFree::operator()(ssl_st* ssl) const {
  SSL_free(ssl);
}

Result<PreparedConnection> prepare_connection(int fd, const SetupOptions& options) {
  PreparedConnection c;
  c.fd = fd;
  auto prepared = [&]() -> Result<void> {
    int one = 1;
    // DCMTK leaves Nagle's algorithm on (DESIGN §3): small PDUs would wait for ACKs.
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ARCA_TRY(set_blocking(fd, false));
    Deadline deadline(options.timeout);
    if (options.tls != nullptr) {
      c.ssl.reset(SSL_new(options.tls));
      if (!c.ssl || SSL_set_fd(c.ssl.get(), fd) != 1)
        return make_error(ErrorCode::kIo, "cannot create TLS session");
      int done =
          ARCA_TRY(ssl_retry(c.ssl.get(), fd, deadline, [&] { return SSL_accept(c.ssl.get()); }));
      if (done <= 0)
        return make_error(ErrorCode::kPermissionDenied, "TLS handshake failed");
      c.peer_certificate_sha256 = certificate_sha256(c.ssl.get());
    }
    ARCA_TRY(read_associate_rq(c, deadline));
    return set_blocking(fd, true);
  }();
  if (!prepared.ok()) {
    c.ssl.reset();
    ::close(fd);
    return std::move(prepared).error();
  }
  return c;
}

}  // namespace arca::dimse
