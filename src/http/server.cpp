// The only translation unit that includes Boost.Beast/Asio (DESIGN §3; ~35 s and 0.8 GB to
// compile).
//
// Model: accept, TLS handshake and header reads are asynchronous, so idle keep-alive
// connections hold no thread. Once a header is in, the request is handled on the I/O thread
// that read it: body reads and response writes are synchronous on the connection's stream, so a
// handler can pull its body through a plain ByteSource. Deadlines for both kinds of I/O are
// enforced by one watchdog thread that shuts the socket down (SHUT_RD first, so a 408 can still
// be written), which wakes the blocked or pending operation.
#include "http/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "http/body_chunks.h"
#include "http/connection_table.h"
#include "http/dispatcher.h"
#include "http/response_policy.h"
#include "http/tls_context.h"

namespace arca::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<tcp::socket>;
using Parser = bhttp::request_parser<bhttp::buffer_body>;
using SteadyClock = std::chrono::steady_clock;

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

constexpr std::size_t kChunk = 64 * 1024;
constexpr auto kNoLimit = std::numeric_limits<std::uint64_t>::max();

// What every connection shares with the server.
struct Shared {
  const ServerConfig& config;
  Dispatcher dispatcher;
  Logger& logger;
  Random& random;
  ConnectionTable table;
};

// One TLS connection; serves requests in sequence. Held by shared_ptr because pending Asio
// operations keep it alive (there is no other owner).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ssl::context& tls, Shared& shared)
      : shared_(shared),
        stream_(std::move(socket), tls),
        watch_(stream_.next_layer().native_handle()) {
    beast::error_code ec;
    auto remote = stream_.next_layer().remote_endpoint(ec);
    if (!ec)
      client_address_ = remote.address().to_string();
    buffer_.reserve(kChunk);  // without it Beast reads bodies 512 bytes at a time
  }
  ~Connection() { shared_.table.remove(watch_); }

  void start() {
    if (!shared_.table.add(watch_, shared_.config.limits.max_connections)) {
      shared_.logger.warn("http: connection refused, max_connections reached");
      return;
    }
    arm(Phase::kRead, shared_.config.limits.request_timeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              self->watch_.disarm();
                              if (!ec)
                                self->read_header();
                            });
  }

  Result<std::size_t> read_body(MutableByteView out);

 private:
  void arm(Phase phase, std::chrono::milliseconds timeout) {
    watch_.arm(phase, SteadyClock::now() + timeout);
  }
  void read_header();
  void on_header(beast::error_code ec);
  bool serve();  // returns whether to keep the connection open
  void finish_log(const Request* request, int status, SteadyClock::time_point start);
  bool respond(Response response, bool keep_alive, bool head);
  bool write_stream(StreamBody& body, bool chunked);
  void linger();
  template <typename Buffers>
  bool write_raw(const Buffers& buffers);

  Shared& shared_;
  Stream stream_;
  ConnectionWatch watch_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  std::string client_address_;
  std::string request_id_;
  std::string path_;  // of the request being answered, for the response policy
  std::optional<std::string> accept_encoding_;
  std::optional<std::string> origin_;
  bool first_request_ = true;
  bool continue_pending_ = false;
  unsigned version_ = 11;
};

class BodySource final : public ByteSource {
 public:
  explicit BodySource(Connection& c) : connection_(c) {}
  Result<std::size_t> read(MutableByteView out) override { return connection_.read_body(out); }

 private:
  Connection& connection_;
};

void Connection::read_header() {
  if (shared_.table.stopping())
    return;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(shared_.config.limits.max_header_bytes));
  parser_->body_limit(kNoLimit);  // checked per route once the header is in
  watch_.set_idle(true);
  arm(Phase::kRead,
      first_request_ ? shared_.config.limits.request_timeout : shared_.config.limits.idle_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  watch_.disarm();
  watch_.set_idle(false);
  request_id_ = shared_.random.hex(8);
  path_.clear();
  accept_encoding_.reset();
  origin_.reset();
  auto start = SteadyClock::now();
  if (ec == bhttp::error::header_limit) {
    respond(protocol_error(431, "header_too_large", "request header fields too large"), false,
            false);
    finish_log(nullptr, 431, start);
    linger();
    return;
  }
  if ((ec == bhttp::error::end_of_stream || ec == net::error::eof ||
       ec == ssl::error::stream_truncated) &&
      !watch_.timed_out()) {
    return;  // the client closed the connection between requests: nothing to answer or log
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
    respond(error_response(make_error(ErrorCode::kInvalidArgument, "malformed request")), false,
            false);
    finish_log(nullptr, 400, start);
    return;
  }
  if (ec) {
    bool partial = buffer_.size() > 0 || parser_->got_some();
    if (watch_.timed_out() && partial) {
      watch_.clear_timeout();
      respond(error_response(make_error(ErrorCode::kTimeout, "request header timed out")), false,
              false);
      finish_log(nullptr, 408, start);
    }
    return;
  }
  first_request_ = false;
  if (serve() && !shared_.table.stopping())
    read_header();
}

bool Connection::serve() {
  auto start = SteadyClock::now();
  auto& header = parser_->get();
  version_ = header.version();
  bool keep_alive = header.keep_alive() && !shared_.table.stopping();
  auto method = parse_method(sv(header.method_string()));
  if (!method) {
    respond(error_response(make_error(ErrorCode::kUnsupported, "method not implemented")), false,
            false);
    finish_log(nullptr, 501, start);
    return false;
  }
  bool head = *method == Method::kHead;
  continue_pending_ =
      beast::iequals(header[bhttp::field::expect], "100-continue") && !parser_->is_done();
  RequestInit init{*method,     std::string(sv(header.target())),   {}, client_address_,
                   request_id_, std::make_unique<BodySource>(*this)};
  for (const auto& field : header)
    init.headers.add(sv(field.name_string()), sv(field.value()));
  Result<Request> created = Request::create(std::move(init));
  if (!created.ok()) {
    respond(error_response(created.error()), false, head);
    finish_log(nullptr, 400, start);
    return false;
  }
  Request& request = *created;
  path_ = request.path();
  if (auto encoding = request.headers().get("Accept-Encoding"))
    accept_encoding_ = std::string(*encoding);
  if (auto origin = request.headers().get("Origin"))
    origin_ = std::string(*origin);
  std::optional<Response> preflight = cors_preflight(shared_.config.cors, request);
  Admission admission;
  if (!preflight)
    admission = shared_.dispatcher.admit(request);
  Response response(500);
  if (preflight) {
    response = std::move(*preflight);
  } else if (admission.route == nullptr) {
    response = std::move(*admission.refusal);
  } else {
    std::uint64_t limit =
        admission.route->max_body_bytes.value_or(shared_.config.limits.default_max_body_bytes);
    auto length = parser_->content_length();
    if (length && *length > limit) {
      response = error_response(make_error(ErrorCode::kTooLarge, "request body too large"));
    } else {
      parser_->body_limit(limit);
      response = shared_.dispatcher.run(*admission.route, request);
    }
  }
  bool stalled = watch_.timed_out();
  keep_alive = keep_alive && parser_->is_done() && !stalled;
  watch_.clear_timeout();
  int status = response.status();
  bool written = respond(std::move(response), keep_alive, head);
  finish_log(&request, status, start);
  if (written && !parser_->is_done() && !continue_pending_ && !stalled)
    linger();  // (with a 100-continue never sent, the client holds its body back)
  return written && keep_alive;
}

// Closing a socket with unread input makes the kernel send RST, which can destroy the response
// (say a 413) before the client reads it. So, like nginx's lingering close, read and discard
// what the client is still sending, within a byte and time budget, before closing.
void Connection::linger() {
  constexpr std::uint64_t kBudget = 16 * 1024 * 1024;
  Bytes scratch(kChunk);
  std::uint64_t drained = 0;
  beast::error_code ec;
  arm(Phase::kRead, shared_.config.limits.request_timeout);
  while (!ec && drained < kBudget)
    drained += stream_.read_some(net::buffer(scratch.data(), scratch.size()), ec);
  watch_.disarm();
}

Result<std::size_t> Connection::read_body(MutableByteView out) {
  if (parser_->is_done() || out.empty())
    return std::size_t{0};
  if (continue_pending_) {
    continue_pending_ = false;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    if (!write_raw(net::buffer(kContinue.data(), kContinue.size())))
      return make_error(ErrorCode::kIo, "client connection lost");
  }
  auto& body = parser_->get().body();
  body.data = out.data();
  body.size = out.size();
  body.more = true;
  beast::error_code ec;
  arm(Phase::kRead, shared_.config.limits.request_timeout);
  while (!ec && body.size == out.size() && !parser_->is_done()) {
    bhttp::read_some(stream_, buffer_, *parser_, ec);
    if (ec == bhttp::error::need_buffer)
      ec = {};
  }
  watch_.disarm();
  std::size_t n = out.size() - body.size;
  body.data = nullptr;
  if (!ec)
    return n;
  if (ec == bhttp::error::body_limit)
    return make_error(ErrorCode::kTooLarge, "request body too large");
  if (watch_.timed_out())
    return make_error(ErrorCode::kTimeout, "request body timed out");
  return make_error(ErrorCode::kIo, "client connection lost");
}

template <typename Buffers>
bool Connection::write_raw(const Buffers& buffers) {
  beast::error_code ec;
  arm(Phase::kWrite, shared_.config.limits.request_timeout);
  net::write(stream_, buffers, ec);
  watch_.disarm();
  return !ec;
}

bool Connection::respond(Response response, bool keep_alive, bool head) {
  finish_response(response, {path_, accept_encoding_, origin_, &shared_.config.cors});
  response.headers().set("X-Request-Id", request_id_);
  bool chunked = false;
  std::optional<std::uint64_t> length;
  if (!response.is_stream()) {
    length = response.bytes().size();
  } else if (response.stream_body().length) {
    length = response.stream_body().length;
  } else if (version_ >= 11) {
    chunked = true;
  } else {
    keep_alive = false;
  }
  bhttp::response<bhttp::vector_body<std::uint8_t>> out{
      static_cast<bhttp::status>(response.status()), version_};
  for (const auto& [name, value] : response.headers().fields())
    out.insert(name, value);
  out.keep_alive(keep_alive);
  if (length)
    out.content_length(*length);
  if (chunked)
    out.chunked(true);
  if (!response.is_stream() && !head)
    out.body() = std::move(response).take_bytes();
  bhttp::response_serializer<bhttp::vector_body<std::uint8_t>> serializer(out);
  beast::error_code ec;
  arm(Phase::kWrite, shared_.config.limits.request_timeout);
  if (response.is_stream() || head)
    bhttp::write_header(stream_, serializer, ec);
  else
    bhttp::write(stream_, serializer, ec);
  watch_.disarm();
  if (ec)
    return false;
  if (response.is_stream() && !head)
    return write_stream(response.stream_body(), chunked);
  return true;
}

bool Connection::write_stream(StreamBody& body, bool chunked) {
  BodyChunks chunks(chunked);
  std::uint64_t total = 0;
  for (;;) {
    Result<ByteView> out = chunks.next(*body.source);
    if (!out.ok()) {
      shared_.logger.error("http: response stream failed: " + out.error().to_string() +
                           " id=" + request_id_);
      return false;  // the client sees a truncated body; the connection is closed
    }
    if (out->empty())
      break;
    total += chunked ? 0 : out->size();
    if (body.length && total > *body.length)
      return false;
    if (!write_raw(net::buffer(out->data(), out->size())))
      return false;
  }
  if (body.length && total != *body.length)
    return false;
  ByteView last = BodyChunks::last_chunk();
  return !chunked || write_raw(net::buffer(last.data(), last.size()));
}

void Connection::finish_log(const Request* request, int status, SteadyClock::time_point start) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
  std::string method = request ? std::string(method_name(request->method())) : "-";
  std::string route =
      request && !request->route_template().empty() ? request->route_template() : "-";
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.3fms", static_cast<double>(us.count()) / 1000.0);
  shared_.logger.info("http " + method + " " + route + " " + std::to_string(status) + " " +
                      duration + " id=" + request_id_);
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerConfig config, const Router& router, Authenticator& auth, Logger& logger,
       Random& random)
      : config_(std::move(config)),
        shared_{config_, Dispatcher(router, auth, config_.on_refusal), logger, random, {}} {}
  ~Impl() { stop(); }

  Result<void> start();
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  void accept();

  ServerConfig config_;
  Shared shared_;  // outlives io_ (declared first), so connections can deregister
  ssl::context tls_{ssl::context::tls_server};
  net::io_context io_;
  // Acceptor and backoff timer live on one strand: accept handlers and stop() touch them.
  net::strand<net::io_context::executor_type> strand_{io_.get_executor()};
  tcp::acceptor acceptor_{strand_};
  net::steady_timer backoff_{strand_};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::jthread> threads_;
  std::jthread watchdog_;
  std::uint16_t port_ = 0;
  bool running_ = false;
};

Result<void> Server::Impl::start() {
  if (running_)
    return make_error(ErrorCode::kInvalidArgument, "server already started");
  ARCA_TRY(configure_server_tls(tls_.native_handle(), config_.tls));
  beast::error_code ec;
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
  work_.emplace(io_.get_executor());
  accept();
  for (std::size_t i = 0; i < std::max<std::size_t>(1, config_.threads); ++i)
    threads_.emplace_back([this] { io_.run(); });
  watchdog_ = std::jthread([this](std::stop_token stop) { shared_.table.watch(stop); });
  running_ = true;
  shared_.logger.info("http: listening on " + config_.bind_address + ":" + std::to_string(port_));
  return ok();
}

void Server::Impl::accept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open())
      return;
    if (ec) {  // e.g. out of file descriptors: back off instead of spinning
      shared_.logger.warn("http: accept failed: " + ec.message());
      backoff_.expires_after(std::chrono::milliseconds(100));
      backoff_.async_wait([this](beast::error_code) { accept(); });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Connection>(std::move(socket), tls_, shared_)->start();
    accept();
  });
}

void Server::Impl::stop() {
  if (!running_)
    return;
  running_ = false;
  shared_.table.begin_stop();
  net::post(strand_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    backoff_.cancel();
  });
  if (!shared_.table.wait_empty(config_.limits.shutdown_grace)) {
    shared_.table.shutdown_all();
    (void)shared_.table.wait_empty(std::chrono::seconds(5));
  }
  work_.reset();
  io_.stop();
  threads_.clear();  // joins
  watchdog_ = {};
  shared_.logger.info("http: stopped");
}

Server::Server(ServerConfig config, const Router& router, Authenticator& authenticator,
               Logger& logger, Random& random)
    : impl_(std::make_unique<Impl>(std::move(config), router, authenticator, logger, random)) {}
Server::~Server() = default;
Result<void> Server::start() {
  return impl_->start();
}
void Server::stop() {
  impl_->stop();
}
std::uint16_t Server::port() const {
  return impl_->port();
}

}  // namespace arca::http
