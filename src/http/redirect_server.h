// The optional plain-HTTP listener ([http] redirect_port; off by default). It serves nothing:
// every request is answered with a redirect to the same path on the HTTPS port (301 for GET and
// HEAD, 308 for any other method so clients repeat it unchanged over TLS) and the connection is
// closed. No body is read, no route runs, no authentication happens here.
//
// The Location host is the request's Host (without its port), accepted only if it is a plain
// DNS name, IPv4 address or bracketed IPv6 address, so no header can be injected through it; a
// request without a usable Host, or whose target is not origin-form, gets 400. A request head
// over 8 KiB gets 431, and a client that does not send its head within `timeout` is dropped.
// Connections past max_connections are refused at accept.
//
// Threading: start() launches one std::jthread running Asio (all work is asynchronous);
// stop() (also run by the destructor) closes everything and joins. Not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/logger.h"
#include "core/result.h"

namespace arca::http {

struct RedirectConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;        // 0: ephemeral; read it back with port()
  std::uint16_t https_port = 0;  // where clients are sent
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_connections = 256;
};

struct RedirectAnswer {
  int status = 400;
  std::string location;  // empty unless 301/308
};

// The answer to one request head ("GET /x HTTP/1.1\r\nHost: h\r\n..."), independent of sockets.
RedirectAnswer redirect_for(std::string_view head, std::uint16_t https_port);

class RedirectServer {
 public:
  RedirectServer(RedirectConfig config, Logger& logger);
  ~RedirectServer();
  RedirectServer(const RedirectServer&) = delete;
  RedirectServer& operator=(const RedirectServer&) = delete;

  // Binds and starts; kIo if the address cannot be bound, kInvalidArgument for a bad address.
  Result<void> start();
  void stop();
  std::uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arca::http
