#include "audit/syslog_tls.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace arca::audit {
namespace {

Error tls_error(std::string_view what) {
  char buf[256] = {};
  unsigned long e = ERR_get_error();
  if (e != 0)
    ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return make_error(ErrorCode::kUnavailable, std::string(what) + (e != 0 ? ": " : "") + buf);
}

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// A TCP connection with send/receive timeouts (on Linux SO_SNDTIMEO also bounds connect()).
Result<std::unique_ptr<Socket>> dial(const TlsSyslogOptions& o) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(o.port);
  if (::getaddrinfo(o.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr)
    return make_error(ErrorCode::kUnavailable, "cannot resolve " + o.host);
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(o.timeout.count());
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    auto s = std::make_unique<Socket>(::socket(a->ai_family, a->ai_socktype, a->ai_protocol));
    if (s->fd() < 0)
      continue;
    ::setsockopt(s->fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(s->fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(s->fd(), a->ai_addr, a->ai_addrlen) == 0)
      return s;
  }
  return make_error(ErrorCode::kUnavailable, "cannot connect to " + o.host + ":" + port);
}

bool is_ip_address(const std::string& host) {
  in6_addr a6{};
  in_addr a4{};
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

class TlsSyslogConnection final : public SyslogConnection {
 public:
  TlsSyslogConnection(std::unique_ptr<Socket> socket, std::unique_ptr<SSL, SslFree> ssl)
      : socket_(std::move(socket)), ssl_(std::move(ssl)) {}
  Result<void> write(std::string_view bytes) override {
    while (!bytes.empty()) {
      int n = SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size()));
      if (n <= 0)
        return tls_error("write to syslog collector failed");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok();
  }

 private:
  std::unique_ptr<Socket> socket_;  // outlives ssl_ (declared first, destroyed last)
  std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace

struct TlsSyslogConnector::Context {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
};

Result<std::unique_ptr<TlsSyslogConnector>> TlsSyslogConnector::create(TlsSyslogOptions options) {
  auto context = std::make_unique<Context>();
  context->ctx.reset(SSL_CTX_new(TLS_client_method()));
  if (!context->ctx)
    return tls_error("TLS context");
  SSL_CTX_set_min_proto_version(context->ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context->ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(context->ctx.get(), options.ca_file.c_str(), nullptr) != 1) {
    Error e = tls_error("loading syslog CA file " + options.ca_file.string());
    e.code = ErrorCode::kInvalidArgument;
    return e;
  }
  return std::unique_ptr<TlsSyslogConnector>(
      new TlsSyslogConnector(std::move(options), std::move(context)));
}

TlsSyslogConnector::TlsSyslogConnector(TlsSyslogOptions options, std::unique_ptr<Context> context)
    : options_(std::move(options)), context_(std::move(context)) {}
TlsSyslogConnector::~TlsSyslogConnector() = default;

std::string TlsSyslogConnector::describe() const {
  return options_.host + ":" + std::to_string(options_.port);
}

Result<std::unique_ptr<SyslogConnection>> TlsSyslogConnector::connect() {
  auto socket = ARCA_TRY(dial(options_));
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(context_->ctx.get()));
  if (!ssl)
    return tls_error("TLS session");
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  if (is_ip_address(options_.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, options_.host.c_str());
  } else {
    // SSL_set_tlsext_host_name without its C cast: server name indication.
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(options_.host.c_str()));
    X509_VERIFY_PARAM_set1_host(param, options_.host.c_str(), 0);
  }
  SSL_set_fd(ssl.get(), socket->fd());
  if (SSL_connect(ssl.get()) != 1)
    return tls_error("TLS handshake with syslog collector " + describe() + " failed");
  return std::unique_ptr<SyslogConnection>(
      std::make_unique<TlsSyslogConnection>(std::move(socket), std::move(ssl)));
}

}  // namespace arca::audit
