// Arca's configuration: parsed once (arca.toml, then command-line flags) into an immutable
// struct that app/ hands to the pieces it wires (STYLE rule 4: no global configuration).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "auth/settings.h"
#include "core/result.h"
#include "store/index.h"

namespace arca::app {

struct HttpConfig {
  std::string bind = "0.0.0.0";
  int port = 8443;
  std::filesystem::path certificate;  // PEM; empty: self-signed, generated on first run
  std::filesystem::path private_key;  // PEM
  int threads = 4;
  // Plain-HTTP port that only answers redirects to HTTPS; 0 (the default): no plain listener.
  int redirect_port = 0;
  // Origins allowed cross-origin access ("https://viewer.example:8443"); empty: CORS off.
  std::vector<std::string> cors_origins;
  // The built web app shell (Vite's output); empty: <build>/web/dist of the build that made
  // this binary, which is where `make build` puts it.
  std::filesystem::path web_root;
  // The prebuilt OHIF viewer's dist/; empty: .deps/ohif/dist of the source tree, where
  // scripts/setup puts it.
  std::filesystem::path ohif_root;
  // DEVELOPMENT ONLY until accounts exist: loopback clients get a local principal (query, read,
  // store) on every DICOMweb route; everyone else still gets 401. Never on by default.
  bool dev_local_access = false;
};

struct DicomConfig {
  std::string aet = "ARCA";
  std::string bind = "0.0.0.0";
  int port = 11112;
  int tls_port = 2762;
  // DICOM TLS server certificate and key (PEM); empty: the HTTPS certificate files.
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  std::filesystem::path client_ca;  // PEM; set: clients must present a certificate it signed
  int max_associations = 32;
  int association_timeout_s = 30;
  int dimse_timeout_s = 120;
  int max_pdu = 131072;
};

struct StorageConfig {
  // Off only in the benchmark-only configuration (bench/), never for patient data: the flag is
  // named so no one sets it by accident.
  bool encrypt = true;
  store::ConflictPolicy conflict_policy = store::ConflictPolicy::kKeepFirst;
  // Size bound of the encrypted /metadata cache under <data>/cache/metadata (0: off).
  std::int64_t metadata_cache_mb = 1024;
};

struct AuditConfig {
  enum class OnFailure { kRefuse, kAlert };
  // kRefuse: an access that cannot be audited is refused (DESIGN §6). kAlert: it goes ahead
  // and the failure is logged as an alert (fail open), for sites that choose availability.
  OnFailure on_failure = OnFailure::kRefuse;
  // With kRefuse: these tenants only fail open with an alert (configurable per tenant).
  std::vector<std::string> fail_open_tenants;
  // Off only in the benchmark-only configuration (bench/), to measure what auditing costs.
  bool enabled = true;
  int checkpoint_records = 1000;
  int checkpoint_interval_s = 60;
  // 0: an access is answered once its record is on disk (an fsync each, shared by concurrent
  // accesses). Above 0: once its record is committed (visible; survives a crash of arca), and
  // on disk within this many ms (docs/adr/0013). Stores are on disk with their instance either
  // way (the ingest transaction holds both).
  int sync_interval_ms = 100;
  // `arca audit prune` removes whole signed segments whose records are older than this.
  int retention_days = 6 * 365;
  // [audit.syslog]: forward every record to a collector over TLS (RFC 5425) when host is set.
  std::string syslog_host;
  int syslog_port = 6514;
  std::filesystem::path syslog_ca_file;  // PEM CA that signed the collector's certificate
};

// [backup]: where `arca serve` writes the backups an admin asks for while it runs
// (POST /api/v1/admin/backups, docs/adr/0019-backup-and-restore.md). Unset: none are made.
struct BackupConfig {
  std::filesystem::path dir;       // each backup: <dir>/arca-backup-<UTC time>
  std::filesystem::path keys_dir;  // if set, the key vault export beside it: keep it apart
  std::string daily_at;            // "HH:MM" (UTC): `arca serve` makes a backup then, daily
  int keep = 0;                    // above 0: the newest `keep` server-made backups are kept
};

struct Config {
  std::filesystem::path data_dir = "arca-data";
  std::filesystem::path key_file = "arca-secrets/root.key";
  // Empty: the subcommand's default (info for `serve`, warn for one-shot commands, whose
  // results go to the console and whose per-instance audit lines would drown them).
  std::string log_level;
  HttpConfig http;
  DicomConfig dicom;
  StorageConfig storage;
  auth::AuthSettings auth;  // [auth]
  AuditConfig audit;
  BackupConfig backup;
};

// Flags every archive-touching subcommand accepts; they override the file.
struct ConfigOverrides {
  std::optional<std::filesystem::path> config_file;
  std::optional<std::filesystem::path> data_dir;
  std::optional<std::filesystem::path> key_file;
  std::optional<int> http_port;
  std::optional<std::string> http_bind;
  std::optional<int> dicom_port;
  std::optional<int> dicom_tls_port;
  std::optional<std::string> aet;
  bool dev_local_access = false;  // `arca serve --dev-local-access`
};

// Reads the TOML file if given (kNotFound if it does not exist, kInvalidArgument with the
// line for a syntax error or an unknown key), then applies the overrides and validates.
Result<Config> load_config(const ConfigOverrides& overrides);

}  // namespace arca::app
