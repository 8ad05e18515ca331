// The HTTPS server (Boost.Beast + Asio + OpenSSL, all confined to server.cpp). HTTP/1.1 with
// keep-alive over TLS 1.2+ only. Each request goes through the Dispatcher (route, authenticate,
// authorize, handler, error mapping); every response goes through finish_response()
// (http/response_policy.h: security headers, per-area CSP, gzip) and carries an X-Request-Id;
// each request is logged as one line with method, route template (never the raw path or
// query, which may carry PHI), status, duration and id.
//
// Limits: a header over max_header_bytes is 431; a body over the route's limit (or the default)
// is 413, refused from Content-Length before the body is read when possible; a client that does
// not deliver the header (or a body chunk, or accept a write) within request_timeout gets 408
// when still possible and is disconnected; a keep-alive connection idle for idle_timeout is
// closed; connections past max_connections are refused at accept.
//
// Threading: start() launches `threads` std::jthreads running the I/O loop. Handlers run on
// those threads and may block (they read request bodies synchronously), so size `threads` for
// the expected number of concurrent slow requests. One more thread enforces deadlines.
// stop() stops accepting, closes idle connections, lets in-flight requests finish for up to
// shutdown_grace, then closes the rest and joins. Server is not copyable; start()/stop() are
// called from one thread; the destructor stops.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/logger.h"
#include "core/random.h"
#include "core/result.h"
#include "http/authenticator.h"
#include "http/cors.h"
#include "http/dispatcher.h"
#include "http/router.h"
#include "http/tls_certificate.h"

namespace arca::http {

struct ServerLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::uint64_t default_max_body_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t max_connections = 1024;
  std::chrono::milliseconds shutdown_grace{10'000};
};

struct ServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port; read it back with Server::port()
  std::size_t threads = 4;
  CertificateFiles tls;  // must exist; see ensure_certificate()
  ServerLimits limits;
  CorsPolicy cors;             // off unless origins are listed
  RefusalObserver on_refusal;  // optional: told of refused authenticated callers (audit)
};

class Server {
 public:
  // Borrows everything; all must outlive the server. The router must be complete.
  Server(ServerConfig config, const Router& router, Authenticator& authenticator, Logger& logger,
         Random& random);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the certificate, binds and starts serving. Fails with kInvalidArgument for a bad
  // certificate or key, kIo if the address cannot be bound.
  Result<void> start();
  // Graceful stop; idempotent.
  void stop();
  // The bound port once started.
  std::uint16_t port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arca::http
