// Asio only (no Beast): the request head is read as text and answered from redirect_for().
#include "http/redirect_server.h"

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <thread>

#include "http/headers.h"

namespace arca::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxHead = 8 * 1024;

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255)
    return false;
  if (host.front() == '[') {
    return host.back() == ']' && host.size() > 2 &&
           host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") ==
               std::string_view::npos;
  }
  return host.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
             std::string_view::npos &&
         host.front() != '-' && host.front() != '.';
}

// The host part of a Host header value (without ":port").
std::string_view host_only(std::string_view value) {
  if (!value.empty() && value.front() == '[')
    return value.substr(
        0, value.find(']') == std::string_view::npos ? value.size() : value.find(']') + 1);
  return value.substr(0, value.find(':'));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string reason(int status) {
  switch (status) {
    case 301:
      return "Moved Permanently";
    case 308:
      return "Permanent Redirect";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Bad Request";
  }
}

std::string render(const RedirectAnswer& a) {
  std::string out = "HTTP/1.1 " + std::to_string(a.status) + " " + reason(a.status) + "\r\n";
  if (!a.location.empty())
    out += "Location: " + a.location + "\r\n";
  out +=
      "Content-Length: 0\r\nConnection: close\r\nCache-Control: no-store\r\n"
      "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
      "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n\r\n";
  return out;
}

// One plain connection: read the head, answer, close. Held by shared_ptr because the pending
// Asio operations are its only owners.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const RedirectConfig& config, std::atomic<std::size_t>& open)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), config_(config), open_(open) {}
  ~Connection() { --open_; }

  void start() {
    timer_.expires_after(config_.timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) {
        boost::system::error_code ignored;
        self->socket_.close(ignored);
      }
    });
    net::async_read_until(socket_, net::dynamic_buffer(head_, kMaxHead), "\r\n\r\n",
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            self->on_head(ec);
                          });
  }

 private:
  void on_head(boost::system::error_code ec) {
    RedirectAnswer answer;
    if (ec == net::error::not_found)
      answer.status = 431;  // the head outgrew kMaxHead
    else if (ec)
      return finish();
    else
      answer = redirect_for(head_, config_.https_port);
    reply_ = render(answer);
    net::async_write(socket_, net::buffer(reply_),
                     [self = shared_from_this()](boost::system::error_code written, std::size_t) {
                       if (written)
                         return self->finish();
                       boost::system::error_code ignored;
                       self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                       self->drain();
                     });
  }
  // Closing with unread input would make the kernel send RST, which can destroy the answer
  // before the client reads it; so read and discard until the client closes (or the timer).
  void drain() {
    socket_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec)
                                return self->finish();
                              self->drain();
                            });
  }
  void finish() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  const RedirectConfig& config_;
  std::atomic<std::size_t>& open_;
  std::string head_;
  std::string reply_;
  std::array<char, 4096> scratch_{};
};

}  // namespace

RedirectAnswer redirect_for(std::string_view head, std::uint16_t https_port) {
  std::size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1)
    return {};
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.empty() || target.front() != '/' ||
      target.find_first_of(" \t\r\n") != std::string_view::npos ||
      !line.substr(sp2 + 1).starts_with("HTTP/"))
    return {};
  std::optional<std::string_view> host;
  std::size_t pos = eol;
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    std::size_t next = head.find("\r\n", pos + 2);
    std::string_view field = head.substr(pos + 2, next - pos - 2);
    std::size_t colon = field.find(':');
    if (colon != std::string_view::npos && iequals(field.substr(0, colon), "host")) {
      if (host)
        return {};  // two Host fields
      host = host_only(trim(field.substr(colon + 1)));
    }
    pos = next;
  }
  if (!host || !valid_host(*host))
    return {};
  bool safe = method == "GET" || method == "HEAD";
  std::string location = "https://" + std::string(*host);
  if (https_port != 443)
    location += ":" + std::to_string(https_port);
  return {safe ? 301 : 308, location + std::string(target)};
}

class RedirectServer::Impl {
 public:
  Impl(RedirectConfig config, Logger& logger) : config_(std::move(config)), logger_(logger) {}

  Result<void> start() {
    boost::system::error_code ec;
    auto address = net::ip::make_address(config_.bind_address, ec);
    if (ec)
      return make_error(ErrorCode::kInvalidArgument, "bad bind address");
    tcp::endpoint endpoint(address, config_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(endpoint, ec);
    if (!ec)
      acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
      return make_error(ErrorCode::kIo, "cannot listen on " + config_.bind_address + ":" +
                                            std::to_string(config_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::jthread([this] { io_.run(); });
    logger_.info("http: redirecting plain HTTP on " + config_.bind_address + ":" +
                 std::to_string(port_) + " to HTTPS port " + std::to_string(config_.https_port));
    return ok();
  }

  void stop() {
    if (!thread_.joinable())
      return;
    io_.stop();
    thread_ = {};
  }
  std::uint16_t port() const { return port_; }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted)
        return;
      if (ec) {  // e.g. out of file descriptors: back off instead of spinning
        backoff_.expires_after(std::chrono::milliseconds(100));
        backoff_.async_wait([this](boost::system::error_code) { accept(); });
        return;
      }
      if (open_.load() >= config_.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        ++open_;
        std::make_shared<Connection>(std::move(socket), config_, open_)->start();
      }
      accept();
    });
  }

  RedirectConfig config_;
  Logger& logger_;
  std::atomic<std::size_t> open_{0};
  net::io_context io_;
  tcp::acceptor acceptor_{io_};
  net::steady_timer backoff_{io_};
  std::jthread thread_;
  std::uint16_t port_ = 0;
};

RedirectServer::RedirectServer(RedirectConfig config, Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(config), logger)) {}
RedirectServer::~RedirectServer() {
  impl_->stop();
}
Result<void> RedirectServer::start() {
  return impl_->start();
}
void RedirectServer::stop() {
  impl_->stop();
}
std::uint16_t RedirectServer::port() const {
  return impl_->port();
}

}  // namespace arca::http
