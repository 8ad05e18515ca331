#include "dimse/tcp_listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace arca::dimse {
namespace {

constexpr int kBacklog = 128;
constexpr int kPollMs = 200;  // how quickly stop() is noticed

std::string numeric_host(const sockaddr_storage& addr, int& port) {
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  }
  std::string out(host);
  // An IPv4 peer on a dual-stack socket: report the plain IPv4 address.
  if (out.rfind("::ffff:", 0) == 0 && out.find('.') != std::string::npos)
    out = out.substr(7);
  return out;
}

}  // namespace

Result<std::unique_ptr<TcpListener>> TcpListener::open(const std::string& bind_address, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(bind_address.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr)
    return make_error(ErrorCode::kInvalidArgument, "bind address must be a numeric IP address");
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return make_error(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  auto listener = std::make_unique<TcpListener>(fd);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, kBacklog) != 0) {
    return make_error(ErrorCode::kUnavailable, "cannot listen on " + bind_address + ":" + service +
                                                   ": " + std::strerror(errno));
  }
  return listener;
}

TcpListener::TcpListener(int fd) : fd_(fd) {}

TcpListener::~TcpListener() {
  stop();
  ::close(fd_);
}

int TcpListener::port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return 0;
  int port = 0;
  (void)numeric_host(addr, port);
  return port;
}

void TcpListener::start(std::function<void(AcceptedSocket)> on_accept) {
  on_accept_ = std::move(on_accept);
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void TcpListener::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void TcpListener::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, kPollMs) <= 0)
      continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int client = ::accept4(fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (client < 0)
      continue;  // the peer gave up already, or a transient error (EMFILE): try again
    AcceptedSocket s;
    s.fd = client;
    s.address = numeric_host(addr, s.port);
    on_accept_(std::move(s));
  }
}

}  // namespace arca::dimse
