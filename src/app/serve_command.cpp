#include "app/serve_command.h"

#include <signal.h>

#include <ostream>

#include "http/health.h"
#include "http/server.h"

namespace arca::app {

namespace {

http::CertificateFiles certificate_files(const Config& config) {
  if (!config.http.certificate.empty()) {
    return {config.http.certificate, config.http.private_key};
  }
  auto dir = config.key_file.parent_path();
  return {dir / "https-certificate.pem", dir / "https-key.pem"};
}

// Blocks until SIGINT or SIGTERM (which main() has blocked in every thread).
void wait_for_shutdown_signal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal = 0;
  sigwait(&set, &signal);
}

}  // namespace

int run_serve(Archive& archive, Logger& logger, Random& random, std::ostream& out) {
  const Config& config = archive.config();
  SystemClock clock;
  auto certs = certificate_files(config);
  auto ensured = http::ensure_certificate(certs, {clock.now(), 397}, random);
  if (!ensured.ok()) {
    logger.error("HTTPS certificate: " + ensured.error().to_string());
    return 1;
  }

  http::Router router;
  auto health = http::register_health_routes(router, [&archive] { return archive.ready(); });
  if (!health.ok()) {
    logger.error(health.error().to_string());
    return 1;
  }
  http::DenyAllAuthenticator deny_all;
  http::ServerConfig server_config;
  server_config.bind_address = config.http.bind;
  server_config.port = static_cast<std::uint16_t>(config.http.port);
  server_config.threads = static_cast<std::size_t>(config.http.threads);
  server_config.tls = certs;
  http::Server server(server_config, router, deny_all, logger, random);
  auto started = server.start();
  if (!started.ok()) {
    logger.error("HTTPS listener on " + config.http.bind + ":" + std::to_string(config.http.port) +
                 ": " + started.error().to_string());
    return 1;
  }
  std::string host = config.http.bind == "0.0.0.0" ? "localhost" : config.http.bind;
  out << "Arca is running.\n"
      << "  HTTPS:   https://" << host << ":" << server.port() << "/  (health: /healthz, "
      << "readiness: /readyz)\n"
      << "  Data:    " << config.data_dir.string() << " (encrypted)\n"
      << "  Root key: " << config.key_file.string() << " (keep it safe and backed up apart)\n"
      << "  Certificate: " << certs.certificate.string() << " (self-signed unless configured)\n"
      << "Press Ctrl-C to stop." << std::endl;
  logger.info("serving on port " + std::to_string(server.port()));
  wait_for_shutdown_signal();
  logger.info("shutting down");
  server.stop();
  return 0;
}

}  // namespace arca::app
