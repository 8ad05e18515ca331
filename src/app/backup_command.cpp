#include "app/backup_command.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_flags.h"

namespace arca::app {

namespace fs = std::filesystem;

namespace {

std::string json_text(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

void print_manifest_line(const fs::path& dir, const service::BackupManifest& m, std::ostream& out) {
  out << dir.string() << "  " << service::backup_time_text(m.created_ms) << "  key id " << m.key_id
      << "  " << m.mode << "  " << m.instances << " instances  " << m.blobs << " blobs  "
      << m.blob_bytes << " blob bytes  " << m.audit_records << " audit records\n";
}

int run_create(Archive& archive, const BackupCli& cli, std::ostream& out, std::ostream& err) {
  auto r =
      archive.backups().create(service::console_context(), cli.to, service::BackupMode::kOffline);
  if (!r.ok()) {
    err << "error: backup not created: " << r.error().message << '\n';
    return 1;
  }
  if (cli.json) {
    out << "{\"dir\":" << json_text(r->dir.string()) << ",\"instances\":" << r->manifest.instances
        << ",\"blobs\":" << r->manifest.blobs << ",\"blob_bytes\":" << r->manifest.blob_bytes
        << ",\"key_id\":\"" << r->manifest.key_id << "\"}\n";
  } else {
    out << "backup written to " << r->dir.string() << ": " << r->manifest.instances
        << " instances, " << r->manifest.blobs << " blobs, " << r->manifest.blob_bytes
        << " blob bytes (key id " << r->manifest.key_id << ")\n"
        << "the key vault is not in it: keep an export (arca backup keys --to FILE) apart\n";
  }
  return 0;
}

int run_verify(Archive& archive, const BackupCli& cli, std::ostream& out, std::ostream& err) {
  auto r = archive.backups().verify(service::console_context(), cli.dir);
  if (!r.ok()) {
    err << "error: backup not verified: " << r.error().message << '\n';
    return 1;
  }
  for (const auto& p : r->problems)
    err << "bad: " << p.subject << ": " << p.problem << '\n';
  if (cli.json) {
    out << "{\"ok\":" << (r->ok() ? "true" : "false") << ",\"files\":" << r->files_checked
        << ",\"blobs_authenticated\":" << r->blobs_authenticated
        << ",\"erased_instances\":" << r->erased_instances
        << ",\"erased_patients\":" << r->erased_patients.size() << ",\"problems\":[";
    for (std::size_t i = 0; i < r->problems.size(); ++i) {
      out << (i ? "," : "") << "{\"subject\":" << json_text(r->problems[i].subject)
          << ",\"problem\":" << json_text(r->problems[i].problem) << '}';
    }
    out << "]}\n";
  } else {
    out << (r->ok() ? "backup OK: " : "backup DAMAGED: ") << r->files_checked << " files checked, "
        << r->blobs_authenticated << " blobs authenticated, " << r->problems.size() << " problems";
    if (r->erased_instances > 0) {
      out << "; " << r->erased_instances << " instances of " << r->erased_patients.size()
          << " erased patients are unreadable by design (crypto-shredded)";
    }
    out << '\n';
  }
  return r->ok() ? 0 : 1;
}

int run_keys(Archive& archive, const BackupCli& cli, std::ostream& out, std::ostream& err) {
  auto r = archive.backups().export_keys(service::console_context(), cli.to);
  if (!r.ok()) {
    err << "error: key vault not exported: " << r.error().message << '\n';
    return 1;
  }
  out << "key vault exported to " << cli.to << " (" << *r
      << " bytes, encrypted under the root key): store it apart from the data backups\n";
  return 0;
}

int run_list(Archive& archive, const BackupCli& cli, std::ostream& out, std::ostream& err) {
  int rc = 0;
  for (const auto& d : cli.dirs) {
    auto m = service::read_backup_manifest(d, archive.backup_key());
    if (!m.ok()) {
      err << d << ": " << m.error().message << '\n';
      rc = 1;
      continue;
    }
    print_manifest_line(d, *m, out);
  }
  return rc;
}

}  // namespace

void add_backup_commands(CLI::App& app, ConfigOverrides& o, BackupCli& c) {
  c.backup = app.add_subcommand(
      "backup", "Full, verified, encrypted backups of the archive, and the key vault export");
  c.backup->require_subcommand(1);
  add_archive_flags(c.backup, o);
  c.backup->footer(
      "A backup is a new directory: snapshots of the index and audit trail (still encrypted), "
      "every stored object as stored (encrypted), and a manifest with every file's size and "
      "SHA-256, HMAC-signed with a key derived from the root key. It never holds the key vault: "
      "export that with `arca backup keys` and keep it apart. Runs with the server stopped; "
      "while it runs, use POST /api/v1/admin/backups. See docs/adr/0019-backup-and-restore.md.");
  c.create = c.backup->add_subcommand("create", "Write a full backup into a new directory");
  add_archive_flags(c.create, o);
  c.create->add_option("--to", c.to, "The backup directory (must not exist, or be empty)")
      ->required();
  c.create->add_flag("--json", c.json, "Print the result as JSON");
  c.verify = c.backup->add_subcommand(
      "verify",
      "Check a backup: manifest HMAC, every file's size and SHA-256, the databases, and every "
      "object authenticated (AES-GCM) with the current key vault");
  add_archive_flags(c.verify, o);
  c.verify->add_option("dir", c.dir, "The backup directory")->required();
  c.verify->add_flag("--json", c.json, "Print the result as JSON");
  c.keys = c.backup->add_subcommand(
      "keys", "Export the key vault (still encrypted under the root key) for disaster recovery");
  add_archive_flags(c.keys, o);
  c.keys->add_option("--to", c.to, "The file to write (must not exist)")->required();
  c.list = c.backup->add_subcommand("list", "Show each backup's date, key id, counts and size");
  add_archive_flags(c.list, o);
  c.list->add_option("dirs", c.dirs, "Backup directories")->required();

  c.restore = app.add_subcommand(
      "restore",
      "Restore a backup into a new, empty data directory, verifying every file and object");
  add_archive_flags(c.restore, o);
  c.restore->add_option("--from", c.from, "The backup directory")->required();
  c.restore->add_option("--data", c.data, "The new data directory (must not exist, or be empty)")
      ->required();
  c.restore->add_option("--keys", c.keys_file,
                        "A key vault export (arca backup keys); default: the vault of the archive "
                        "in --data-dir, which must not be in use");
  c.restore->footer(
      "Needs the root key the backup was made under (--key-file). Patients erased since the "
      "backup stay erased: their keys are not in the vault used, and restore removes their "
      "instances. Start the restored archive with `arca serve --data-dir NEWDIR`.");
}

int run_backup(Archive& archive, const BackupCli& cli, std::ostream& out, std::ostream& err) {
  if (cli.create->parsed())
    return run_create(archive, cli, out, err);
  if (cli.verify->parsed())
    return run_verify(archive, cli, out, err);
  if (cli.keys->parsed())
    return run_keys(archive, cli, out, err);
  return run_list(archive, cli, out, err);
}

}  // namespace arca::app
