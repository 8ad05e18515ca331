// arca: the one binary. Subcommands: serve, import, export, check, peer, send, retrieve, user,
// token, tenant, audit, backup, restore, routes. Exit codes: 0 success, 1 failure, 2 usage error
// (DESIGN §7).
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/account_cli.h"
#include "app/archive.h"
#include "app/audit_command.h"
#include "app/backup_command.h"
#include "app/cli_flags.h"
#include "app/import_command.h"
#include "app/maintenance_commands.h"
#include "app/peer_command.h"
#include "app/process_limits.h"
#include "app/serve_command.h"
#include "app/spdlog_logger.h"
#include "crypto/system_random.h"
#include "dicom/dcmtk_init.h"

namespace {

using arca::app::add_archive_flags;
using arca::app::ConfigOverrides;

// `arca peer add|list|remove`.
CLI::App* add_peer_commands(CLI::App& app, ConfigOverrides& o, arca::app::PeerCommand& c) {
  using Action = arca::app::PeerCommand::Action;
  auto* peer = app.add_subcommand("peer", "Manage the DICOM peers allowed to associate");
  peer->require_subcommand(1);
  add_archive_flags(peer, o);  // accepted before or after the action
  auto* add = peer->add_subcommand("add", "Allow a DICOM peer (AE title) to associate");
  add_archive_flags(add, o);
  add->add_option("ae_title", c.ae_title, "The peer's AE title")->required();
  add->add_option("--host", c.host, "Address (or host name) the peer connects from")->required();
  add->add_option("--port", c.port, "Port the peer listens on (default 104)")
      ->check(CLI::Range(1, 65535));
  add->add_option("--tenant", c.tenant, "Tenant the peer belongs to (default: default)");
  add->add_option("--allow", c.allow,
                  "Operations: any of store,find,move,get; receive: accepts C-STOREs from Arca at "
                  "--host:--port (C-MOVE destination, arca send target)")
      ->required();
  add->add_flag("--tls", c.tls, "Only accept this peer over DICOM TLS");
  add->add_option("--cert-fingerprint", c.certificate_fingerprint,
                  "SHA-256 of the peer's TLS client certificate (hex, colons allowed)");
  add->callback([&c] { c.action = Action::kAdd; });
  auto* list = peer->add_subcommand("list", "List the configured peers");
  add_archive_flags(list, o);
  list->add_flag("--json", c.json, "Print JSON");
  list->callback([&c] { c.action = Action::kList; });
  auto* remove = peer->add_subcommand("remove", "Remove a peer");
  add_archive_flags(remove, o);
  remove->add_option("ae_title", c.ae_title, "The peer's AE title")->required();
  remove->callback([&c] { c.action = Action::kRemove; });
  return peer;
}

// `arca audit verify|export`.
struct AuditCli {
  CLI::App* audit = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* prune = nullptr;
  bool json = false;
  std::string from;
  std::string to;
  std::string format = "jsonl";
};

AuditCli add_audit_commands(CLI::App& app, ConfigOverrides& o) {
  AuditCli c;
  c.audit = app.add_subcommand("audit", "Verify or export the tamper-evident audit trail");
  c.audit->require_subcommand(1);
  add_archive_flags(c.audit, o);
  c.verify = c.audit->add_subcommand(
      "verify", "Walk the hash chain and signed checkpoints; report the first broken record");
  add_archive_flags(c.verify, o);
  c.verify->add_flag("--json", c.json, "Print the result as JSON");
  c.prune = c.audit->add_subcommand(
      "prune", "Remove whole signed segments older than [audit] retention_days (default 6 years)");
  add_archive_flags(c.prune, o);
  c.prune->add_flag("--json", c.json, "Print the result as JSON");
  auto* exp = c.audit->add_subcommand("export", "Write audit records to stdout");
  add_archive_flags(exp, o);
  exp->add_option("--from", c.from, "First time included (UTC: 2026-11-28 or 2026-11-28T10:15Z)");
  exp->add_option("--to", c.to, "First time excluded (UTC)");
  exp->add_option("--format", c.format,
                  "jsonl (one JSON object per line) or dicom (one DICOM Audit Message, PS3.15 "
                  "A.5, per line); default jsonl")
      ->check(CLI::IsMember({"jsonl", "dicom"}));
  return c;
}

// The export request of `arca audit export`; nullopt (after a message) for a malformed time.
std::optional<arca::app::AuditExportRequest> audit_export_request(const AuditCli& c) {
  arca::app::AuditExportRequest r;
  r.format = c.format == "dicom" ? arca::app::AuditExportFormat::kDicom
                                 : arca::app::AuditExportFormat::kJsonl;
  for (auto [text, target] : {std::pair{&c.from, &r.from_ms}, std::pair{&c.to, &r.to_ms}}) {
    if (text->empty())
      continue;
    auto ms = arca::app::parse_utc_time(*text);
    if (!ms) {
      std::cerr << "arca: malformed time '" << *text << "' (want 2026-11-28T10:15:00Z)\n";
      return std::nullopt;
    }
    *target = *ms;
  }
  return r;
}

void block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  arca::app::raise_open_file_limit();  // pack files stay open (docs/adr/0015-pack-files.md)
  arca::app::return_large_buffers_to_the_system();
  CLI::App app{"Arca: a secure PACS (DICOM archive, DICOMweb, encrypted storage)", "arca"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "arca 0.1.0");

  ConfigOverrides overrides;
  auto* serve = app.add_subcommand("serve", "Serve the archive over HTTPS until stopped");
  add_archive_flags(serve, overrides);
  serve->add_flag("--dev-local-access", overrides.dev_local_access,
                  "DEVELOPMENT ONLY: let clients on 127.0.0.1/::1 use DICOMweb without "
                  "credentials until accounts exist (never for patient data)");

  arca::app::ImportOptions import_options;
  auto* import = app.add_subcommand(
      "import", "Store DICOM files, folders (recursively) and .zip archives in the archive");
  add_archive_flags(import, overrides);
  std::vector<std::string> import_paths;
  import->add_option("paths", import_paths, "Files, folders or .zip archives")->required();
  import->add_option("-j,--jobs", import_options.jobs, "Parallel workers (default 8)")
      ->check(CLI::Range(1, 64));
  std::uint64_t import_memory_mb = import_options.memory_budget >> 20;
  import
      ->add_option("--memory-mb", import_memory_mb,
                   "Memory for files read and not stored yet, in MiB (default 1024)")
      ->check(CLI::Range(std::uint64_t{16}, std::uint64_t{1} << 20));
  import->add_flag("--list", import_options.list,
                   "Print one line per file: result, SOP Instance UID, file");
  import->add_flag("--json", import_options.json, "Print the summary as JSON");

  std::string export_study;
  std::string export_out;
  auto* exp = app.add_subcommand(
      "export", "Write a study's instances as Part-10 files, byte-identical to what was received");
  add_archive_flags(exp, overrides);
  exp->add_option("--study", export_study, "Study Instance UID")->required();
  exp->add_option("--out", export_out, "Output folder (created if missing)")->required();

  std::string send_study;
  std::string send_to;
  auto* send =
      app.add_subcommand("send", "Send a study to a DICOM peer allowed to receive (C-STORE SCU)");
  add_archive_flags(send, overrides);
  send->add_option("--study", send_study, "Study Instance UID")->required();
  send->add_option("--to", send_to, "The peer's AE title (a peer added with --allow receive)")
      ->required();

  arca::app::RemoteStudy fetch;
  std::string fetch_study;
  auto* fetch_cmd = app.add_subcommand(
      "retrieve", "Pull a study from a DICOM peer (C-GET) into the archive, e.g. an old PACS");
  add_archive_flags(fetch_cmd, overrides);
  fetch_cmd->add_option("--from", fetch.peer_ae, "The peer's AE title (any configured peer)")
      ->required();
  fetch_cmd->add_option("--study", fetch_study, "Study Instance UID")->required();

  bool check_json = false;
  auto* check = app.add_subcommand(
      "check", "Verify that every stored instance decrypts, authenticates and matches the index");
  add_archive_flags(check, overrides);
  check->add_flag("--json", check_json, "Print the summary as JSON");

  auto* routes = app.add_subcommand("routes", "Print the HTTPS route table as JSON lines");
  add_archive_flags(routes, overrides);

  arca::app::PeerCommand peer_command;
  auto* peer = add_peer_commands(app, overrides, peer_command);
  arca::app::AccountCommand account_command;
  auto account_cmds = arca::app::add_account_commands(app, overrides, account_command);
  AuditCli audit_cli = add_audit_commands(app, overrides);
  arca::app::BackupCli backup_cli;
  arca::app::add_backup_commands(app, overrides, backup_cli);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  std::optional<arca::app::AuditExportRequest> audit_export;
  if (audit_cli.audit->parsed() && !audit_cli.verify->parsed() && !audit_cli.prune->parsed()) {
    audit_export = audit_export_request(audit_cli);
    if (!audit_export)
      return 2;
  }
  if (serve->parsed())
    block_shutdown_signals();  // before any thread starts
  auto config = arca::app::load_config(overrides);
  if (!config.ok()) {
    std::cerr << "arca: " << config.error().message << '\n';
    return 2;
  }
  std::string level = config->log_level;
  if (level.empty())
    level = serve->parsed() ? "info" : "warn";
  auto logger = arca::app::SpdlogLogger::create(level);
  if (!logger.ok()) {
    std::cerr << "arca: " << logger.error().message << '\n';
    return 2;
  }
  // DCMTK on Debian leaves Nagle's algorithm on for the associations it opens (C-MOVE, send,
  // retrieve) unless this variable is set; set once here, before any thread starts.
  ::setenv("TCP_NODELAY", "1", 0);
  arca::dicom::init_dcmtk();
  if (backup_cli.restore_parsed())
    return arca::app::run_restore(config.value(), *logger.value(), backup_cli, std::cout,
                                  std::cerr);
  auto archive = arca::app::Archive::open(config.value(), *logger.value());
  if (!archive.ok()) {
    std::cerr << "arca: " << archive.error().message << '\n';
    if (backup_cli.backup_parsed() && archive.error().code == arca::ErrorCode::kUnavailable)
      std::cerr << "arca: while the server runs, back up with POST /api/v1/admin/backups\n";
    return 1;
  }
  arca::app::Archive& a = *archive.value();
  if (serve->parsed()) {
    arca::crypto::SystemRandom random;
    return arca::app::run_serve(a, *logger.value(), random, std::cout);
  }
  if (routes->parsed()) {
    arca::crypto::SystemRandom random;
    return arca::app::run_routes(a, random, std::cout, std::cerr);
  }
  if (import->parsed()) {
    for (const auto& p : import_paths)
      import_options.paths.emplace_back(p);
    import_options.memory_budget = import_memory_mb << 20;
    return arca::app::run_import(a, import_options, std::cout, std::cerr);
  }
  if (peer->parsed())
    return arca::app::run_peer(a, peer_command, std::cout, std::cerr);
  if (account_cmds.any_parsed())
    return arca::app::run_account_command(a, account_command, std::cout, std::cerr);
  if (backup_cli.backup_parsed())
    return arca::app::run_backup(a, backup_cli, std::cout, std::cerr);
  if (audit_cli.verify->parsed())
    return arca::app::run_audit_verify(a, audit_cli.json, std::cout, std::cerr);
  if (audit_cli.prune->parsed())
    return arca::app::run_audit_prune(a, audit_cli.json, std::cout, std::cerr);
  if (audit_export)
    return arca::app::run_audit_export(a, *audit_export, std::cout, std::cerr);
  if (fetch_cmd->parsed()) {
    fetch.study = arca::StudyUid(fetch_study);
    return arca::app::run_retrieve(a, *logger.value(), fetch, std::cerr);
  }
  if (send->parsed())
    return arca::app::run_send(a, arca::StudyUid(send_study), send_to, std::cout, std::cerr);
  if (exp->parsed()) {
    return arca::app::run_export(a, arca::StudyUid(export_study), export_out, std::cout, std::cerr);
  }
  return arca::app::run_check(a, check_json, std::cout, std::cerr);
}
