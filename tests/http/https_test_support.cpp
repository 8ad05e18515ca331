#include "http/https_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "core/random.h"
#include "http/headers.h"

namespace arca::http::testing {
namespace {

std::atomic<int> counter{0};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int connect_tcp(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

ScratchDir::ScratchDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "arca-http-XXXXXX").string();
  path_ = ::mkdtemp(tmpl.data());
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CertificateFiles make_test_certificate(const std::filesystem::path& dir) {
  CertificateFiles files{dir / "cert.pem", dir / "key.pem"};
  SeededRandom random(7);
  SystemClock clock;
  auto r =
      generate_self_signed_certificate(files, {clock.now() - std::chrono::hours(1), 30}, random);
  if (!r.ok())
    throw std::runtime_error(r.error().to_string());
  return files;
}

std::optional<std::string> CurlResult::header(std::string_view name) const {
  std::istringstream in(headers);
  std::string line;
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    auto colon = line.find(':');
    if (colon != std::string::npos && iequals(line.substr(0, colon), name)) {
      std::string v = line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' '));
      found = v;  // the last response's value wins (after a 100 Continue)
    }
  }
  return found;
}

PendingCurl::PendingCurl(const std::filesystem::path& scratch, const std::string& url,
                         const std::vector<std::string>& args) {
  int n = counter++;
  headers_ = scratch / ("h" + std::to_string(n));
  body_ = scratch / ("b" + std::to_string(n));
  std::string cmd = "curl -sS -k --max-time 60 -o " + quote(body_.string()) + " -D " +
                    quote(headers_.string()) + " -w '%{http_code}'";
  for (const auto& a : args)
    cmd += " " + quote(a);
  cmd += " " + quote(url) + " 2>/dev/null";
  pipe_ = ::popen(cmd.c_str(), "r");
}

CurlResult PendingCurl::finish() {
  CurlResult r;
  if (pipe_ == nullptr)
    return r;
  char buf[64] = {};
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, pipe_);
  int status = ::pclose(pipe_);
  pipe_ = nullptr;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.status = std::atoi(std::string(buf, n).c_str());
  r.headers = slurp(headers_);
  r.body = slurp(body_);
  std::error_code ec;
  std::filesystem::remove(headers_, ec);
  std::filesystem::remove(body_, ec);
  return r;
}

CurlResult curl(const std::filesystem::path& scratch, const std::string& url,
                const std::vector<std::string>& args) {
  return PendingCurl(scratch, url, args).finish();
}

std::unique_ptr<TlsClient> TlsClient::connect(std::uint16_t port, int max_version) {
  ::signal(SIGPIPE, SIG_IGN);  // a refused handshake must fail, not kill the test
  std::unique_ptr<TlsClient> c(new TlsClient());
  c->fd_ = connect_tcp(port);
  if (c->fd_ < 0)
    return nullptr;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  c->ctx_ = ctx;
  if (max_version != 0) {
    SSL_CTX_set_security_level(ctx, 0);  // let the client offer what the server must refuse
    SSL_CTX_set_min_proto_version(ctx, 0);
    SSL_CTX_set_max_proto_version(ctx, max_version);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  }
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, c->fd_);
  timeval tv{10, 0};
  ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (SSL_connect(ssl) != 1) {
    SSL_free(ssl);
    ERR_clear_error();
    return c;  // handshake_ok() is false
  }
  c->ssl_ = ssl;
  return c;
}

TlsClient::~TlsClient() {
  if (ssl_ != nullptr)
    SSL_free(static_cast<SSL*>(ssl_));
  if (ctx_ != nullptr)
    SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0)
    ::close(fd_);
}

bool TlsClient::send(std::string_view data) {
  return SSL_write(static_cast<SSL*>(ssl_), data.data(), static_cast<int>(data.size())) ==
         static_cast<int>(data.size());
}

std::string TlsClient::read_until_close(std::chrono::milliseconds limit) {
  std::string out;
  auto end = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd_, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (SSL_pending(static_cast<SSL*>(ssl_)) == 0 &&
        ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0)
      continue;
    int n = SSL_read(static_cast<SSL*>(ssl_), buf, sizeof buf);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ERR_clear_error();
  return out;
}

std::optional<std::chrono::milliseconds> idle_tcp_close_time(std::uint16_t port,
                                                             std::chrono::milliseconds limit) {
  int fd = connect_tcp(port);
  if (fd < 0)
    return std::nullopt;
  auto start = std::chrono::steady_clock::now();
  pollfd p{fd, POLLIN, 0};
  std::optional<std::chrono::milliseconds> closed;
  if (::poll(&p, 1, static_cast<int>(limit.count())) > 0) {
    char c;
    if (::recv(fd, &c, 1, 0) <= 0)
      closed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
  }
  ::close(fd);
  return closed;
}

void CapturingLogger::log(LogLevel, std::string_view message) {
  std::lock_guard lock(mu_);
  lines_.emplace_back(message);
}

std::vector<std::string> CapturingLogger::lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

}  // namespace arca::http::testing
