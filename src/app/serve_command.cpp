#include "app/serve_command.h"

#include <signal.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "api/authenticator.h"
#include "api/routes.h"
#include "app/backup_schedule.h"
#include "app/web_sites.h"
#include "dicomweb/routes.h"
#include "dimse/dimse_server.h"
#include "http/health.h"
#include "http/redirect_server.h"
#include "http/server.h"
#include "service/audit_trail.h"

namespace arca::app {

namespace {

http::CertificateFiles certificate_files(const Config& config) {
  if (!config.http.certificate.empty()) {
    return {config.http.certificate, config.http.private_key};
  }
  auto dir = config.key_file.parent_path();
  return {dir / "https-certificate.pem", dir / "https-key.pem"};
}

dimse::DimseServerOptions dimse_options(const Config& config, const http::CertificateFiles& https) {
  const DicomConfig& d = config.dicom;
  dimse::DimseServerOptions o;
  o.aet = d.aet;
  o.bind = d.bind;
  o.port = d.port;
  dimse::DimseTlsOptions tls;
  tls.port = d.tls_port;
  tls.certificate = d.certificate.empty() ? https.certificate : d.certificate;
  tls.private_key = d.private_key.empty() ? https.key : d.private_key;
  tls.client_ca = d.client_ca;
  o.tls = tls;
  o.max_associations = static_cast<std::size_t>(d.max_associations);
  o.max_queued = 2 * o.max_associations;
  o.association_timeout = std::chrono::seconds(d.association_timeout_s);
  o.dimse_timeout = std::chrono::seconds(d.dimse_timeout_s);
  o.max_pdu = static_cast<std::uint32_t>(d.max_pdu);
  return o;
}

// The authenticator of the HTTPS routes: accounts (session cookie or API token), or
// (development only, on explicit request) a local principal for loopback clients.
std::unique_ptr<http::Authenticator> make_authenticator(Archive& archive, Logger& logger,
                                                        std::ostream& out) {
  const Config& config = archive.config();
  if (!config.http.dev_local_access)
    return std::make_unique<api::AccountAuthenticator>(archive.accounts());
  const char* warning =
      "WARNING: --dev-local-access is ON. Any program on this machine (127.0.0.1/::1) can query, "
      "read and store studies over DICOMweb without credentials. Development only: never use it "
      "with patient data.";
  logger.warn(warning);
  out << "\n*** " << warning << " ***\n\n";
  http::Principal dev;
  dev.actor = "dev-local-access";
  dev.tenant = default_tenant().str();
  dev.permissions = {Permission::kStudyQuery, Permission::kImageRead, Permission::kStudyWrite};
  return std::make_unique<http::LoopbackDevAuthenticator>(std::move(dev));
}

Result<void> register_routes(http::Router& router, Archive& archive, Random& random,
                             const WebSites& sites) {
  ARCA_TRY(http::register_health_routes(router, [&archive] { return archive.ready(); }));
  ARCA_TRY(register_web_site_routes(router, sites));
  ARCA_TRY(api::register_api_routes(router, archive.accounts(), archive.peer_admin(),
                                    archive.audit_search()));
  ARCA_TRY(api::register_document_routes(router, archive.documents()));
  ARCA_TRY(api::register_study_routes(router, archive.retrieve(), archive.deletion()));
  ARCA_TRY(api::register_backup_routes(
      router, archive.backups(), {archive.config().backup.dir, archive.config().backup.keys_dir}));
  return dicomweb::register_dicomweb_routes(
      router, {archive.query(), archive.retrieve(), archive.ingest(), random});
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
  archive.warm_metadata_after_ingest();
  SystemClock clock;
  auto certs = certificate_files(config);
  auto ensured = http::ensure_certificate(certs, {clock.now(), 397}, random);
  if (!ensured.ok()) {
    logger.error("HTTPS certificate: " + ensured.error().to_string());
    return 1;
  }

  auto sites = load_web_sites(&config);
  if (!sites.ok()) {
    logger.error("web app or viewer: " + sites.error().to_string());
    return 1;
  }
  for (const std::string& warning : sites->missing)
    logger.warn(warning);
  http::Router router;
  auto routes = register_routes(router, archive, random, *sites);
  if (!routes.ok()) {
    logger.error(routes.error().to_string());
    return 1;
  }
  auto authenticator = make_authenticator(archive, logger, out);
  // First run: tenant `default` and user `admin` with a one-time password, printed here once
  // (to the console only, never to the log) and changed at the first sign-in.
  auto first_admin = archive.accounts().accounts().ensure_first_admin();
  if (!first_admin.ok()) {
    logger.error("creating the first admin account: " + first_admin.error().to_string());
    return 1;
  }
  http::ServerConfig server_config;
  // Refusals of signed-in callers (403, incomplete sign-in) are audited as failed accesses.
  server_config.on_refusal = [&archive, &clock, &logger](const http::Request& request,
                                                         const http::Principal& who,
                                                         const Error& why) {
    service::RequestContext ctx;
    ctx.principal.id = who.actor;
    ctx.principal.tenant = TenantId(who.tenant);
    ctx.client_address = request.client_address();
    ctx.request_id = request.request_id();
    if (auto agent = request.headers().get("User-Agent"))
      ctx.user_agent = std::string(agent->substr(0, 256));
    AuditAction action =
        request.audit_action() == AuditAction::kNone ? AuditAction::kAdmin : request.audit_action();
    (void)service::record_refusal(archive.audit_recorder(), clock, logger, ctx, action, why,
                                  "refused at " + std::string(http::method_name(request.method())) +
                                      " " + request.route_template());
  };
  server_config.bind_address = config.http.bind;
  server_config.port = static_cast<std::uint16_t>(config.http.port);
  server_config.threads = static_cast<std::size_t>(config.http.threads);
  server_config.tls = certs;
  server_config.cors.origins = config.http.cors_origins;
  http::Server server(server_config, router, *authenticator, logger, random);
  auto started = server.start();
  if (!started.ok()) {
    logger.error("HTTPS listener on " + config.http.bind + ":" + std::to_string(config.http.port) +
                 ": " + started.error().to_string());
    return 1;
  }
  std::optional<http::RedirectServer> redirect;
  if (config.http.redirect_port != 0) {
    redirect.emplace(
        http::RedirectConfig{config.http.bind,
                             static_cast<std::uint16_t>(config.http.redirect_port), server.port()},
        logger);
    auto listening = redirect->start();
    if (!listening.ok()) {
      logger.error("plain HTTP redirect listener: " + listening.error().to_string());
      server.stop();
      return 1;
    }
  }
  auto dicom = dimse::DimseServer::start(
      dimse_options(config, certs),
      {archive.ingest(), archive.query(), archive.retrieve(), archive.peers(), logger, random});
  if (!dicom.ok()) {
    logger.error("DICOM listeners on " + config.dicom.bind + ": " + dicom.error().to_string());
    server.stop();
    return 1;
  }
  std::string host = config.http.bind == "0.0.0.0" ? "localhost" : config.http.bind;
  out << "Arca is running.\n"
      << "  HTTPS:   https://" << host << ":" << server.port() << "/  (health: /healthz, "
      << "readiness: /readyz)\n"
      << "  Web app: https://" << host << ":" << server.port() << "/app/\n"
      << "  DICOMweb: https://" << host << ":" << server.port()
      << "/dicom-web  (QIDO, WADO, STOW)\n"
      << "  DICOM:   AE title " << config.dicom.aet << ", port " << (*dicom)->port()
      << ", TLS port " << (*dicom)->tls_port() << "  (peers: arca peer list)\n"
      << "  Data:    " << config.data_dir.string() << " (encrypted)\n"
      << "  Root key: " << config.key_file.string() << " (keep it safe and backed up apart)\n"
      << "  Certificate: " << certs.certificate.string() << " (self-signed unless configured)\n"
      << "Press Ctrl-C to stop." << std::endl;
  if (*first_admin) {
    out << "\nFirst run: sign in at https://" << host << ":" << server.port()
        << "/ as user 'admin' with the one-time password\n\n    "
        << (*first_admin)->one_time_password.reveal()
        << "\n\nYou will choose a new password and enrol an authenticator app (TOTP). This "
           "password is shown only now;\n`arca user reset-password admin` makes a new one.\n"
        << std::endl;
    logger.info(
        "first run: created tenant default and user admin (one-time password printed "
        "to the console)");
  }
  logger.info("serving on port " + std::to_string(server.port()) + ", DICOM " +
              std::to_string((*dicom)->port()) + ", DICOM TLS " +
              std::to_string((*dicom)->tls_port()));
  std::optional<BackupSchedule> nightly;
  if (auto minute = parse_minute_of_day(config.backup.daily_at)) {
    nightly.emplace(
        archive.backups(),
        service::BackupDirs{config.backup.dir, config.backup.keys_dir, config.backup.keep}, *minute,
        logger);
    logger.info("backups daily at " + config.backup.daily_at + " UTC into " +
                config.backup.dir.string());
  }
  wait_for_shutdown_signal();
  logger.info("shutting down");
  nightly.reset();
  (*dicom)->stop();
  server.stop();
  return 0;
}

int run_routes(Archive& archive, Random& random, std::ostream& out, std::ostream& err) {
  auto sites = load_web_sites(nullptr);
  http::Router router;
  auto routes =
      sites.ok() ? register_routes(router, archive, random, *sites) : Result<void>(sites.error());
  if (!routes.ok()) {
    err << "arca: " << routes.error().message << '\n';
    return 1;
  }
  for (const http::Route& r : router.routes()) {
    nlohmann::json line{{"method", http::method_name(r.method)},
                        {"path", r.path},
                        {"audit", audit_action_name(r.audit)}};
    if (r.access.is_public())
      line["access"] = "public";
    else if (r.access.allows_incomplete_sign_in())
      line["access"] = "signed_in";
    else if (!r.access.permission())
      line["access"] = "authenticated";
    else
      line["access"] = "permission";
    if (r.access.permission())
      line["permission"] = permission_name(*r.access.permission());
    out << line.dump() << '\n';
  }
  return 0;
}

}  // namespace arca::app
