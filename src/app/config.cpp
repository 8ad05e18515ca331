#include "app/config.h"

#include <map>
#include <set>
#include <toml.hpp>

#include "app/backup_schedule.h"

namespace arca::app {

namespace {

// Known keys per table; anything else is a typo the user should hear about.
const std::set<std::string>& known_keys(const std::string& table) {
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"",
       {"data_dir", "key_file", "log_level", "http", "dicom", "storage", "auth", "audit",
        "backup"}},
      {"auth",
       {"min_password_length", "idle_timeout_minutes", "absolute_timeout_hours",
        "argon2_memory_kib", "argon2_iterations", "argon2_parallelism", "lockout_threshold",
        "totp_issuer"}},
      {"http",
       {"bind", "port", "certificate", "private_key", "threads", "redirect_port", "cors_origins",
        "dev_local_access", "web_root"}},
      {"dicom",
       {"aet", "bind", "port", "tls_port", "certificate", "private_key", "client_ca",
        "max_associations", "association_timeout", "dimse_timeout", "max_pdu"}},
      {"storage", {"unencrypted_benchmark_only", "conflict_policy", "metadata_cache_mb"}},
      {"audit",
       {"on_failure", "fail_open_tenants", "off_benchmark_only", "checkpoint_records",
        "checkpoint_interval", "sync_interval_ms", "syslog"}},
      {"audit.syslog", {"host", "port", "ca_file"}},
      {"backup", {"dir", "keys_dir", "daily_at", "keep"}},
  };
  static const std::set<std::string> kNone;
  auto it = kKeys.find(table);
  return it == kKeys.end() ? kNone : it->second;
}

// toml11 3.7's find_or can return a reference to its fallback (DESIGN §3): copy it out here.
template <typename T>
T setting(const toml::value& table, const std::string& key, T fallback) {
  if (!table.contains(key))
    return fallback;
  return toml::find<T>(table, key);
}

Result<void> check_keys(const toml::value& table, const std::string& name) {
  for (const auto& [key, value] : table.as_table()) {
    if (known_keys(name).count(key) == 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown setting '" + (name.empty() ? key : name + "." + key) + "'");
    }
  }
  return ok();
}

Result<void> apply_audit(const toml::value& a, AuditConfig& c) {
  ARCA_TRY(check_keys(a, "audit"));
  std::string on_failure = setting<std::string>(a, "on_failure", "refuse");
  if (on_failure == "refuse") {
    c.on_failure = AuditConfig::OnFailure::kRefuse;
  } else if (on_failure == "alert") {
    c.on_failure = AuditConfig::OnFailure::kAlert;
  } else {
    return make_error(ErrorCode::kInvalidArgument, "audit.on_failure must be refuse or alert");
  }
  c.fail_open_tenants = setting(a, "fail_open_tenants", c.fail_open_tenants);
  c.enabled = !setting(a, "off_benchmark_only", false);
  c.checkpoint_records = setting(a, "checkpoint_records", c.checkpoint_records);
  c.checkpoint_interval_s = setting(a, "checkpoint_interval", c.checkpoint_interval_s);
  c.sync_interval_ms = setting(a, "sync_interval_ms", c.sync_interval_ms);
  if (c.sync_interval_ms < 0 || c.sync_interval_ms > 10'000) {
    return make_error(ErrorCode::kInvalidArgument,
                      "audit.sync_interval_ms must be between 0 and 10000");
  }
  c.retention_days = setting(a, "retention_days", c.retention_days);
  if (c.retention_days < 1)
    return make_error(ErrorCode::kInvalidArgument, "audit.retention_days must be at least 1");
  if (a.contains("syslog")) {
    const auto& s = toml::find(a, "syslog");
    ARCA_TRY(check_keys(s, "audit.syslog"));
    c.syslog_host = setting(s, "host", c.syslog_host);
    c.syslog_port = setting(s, "port", c.syslog_port);
    c.syslog_ca_file = setting(s, "ca_file", c.syslog_ca_file.string());
    if (c.syslog_host.empty() || c.syslog_ca_file.empty() || c.syslog_port < 1 ||
        c.syslog_port > 65535) {
      return make_error(ErrorCode::kInvalidArgument,
                        "audit.syslog needs host, ca_file and a port between 1 and 65535");
    }
  }
  if (c.checkpoint_records < 1 || c.checkpoint_interval_s < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "audit.checkpoint_records and audit.checkpoint_interval must be at least 1");
  }
  return ok();
}

Result<void> apply_file(const toml::value& root, Config& c) {
  ARCA_TRY(check_keys(root, ""));
  c.data_dir = setting(root, "data_dir", c.data_dir.string());
  c.key_file = setting(root, "key_file", c.key_file.string());
  c.log_level = setting(root, "log_level", c.log_level);
  if (root.contains("http")) {
    const auto& h = toml::find(root, "http");
    ARCA_TRY(check_keys(h, "http"));
    c.http.bind = setting(h, "bind", c.http.bind);
    c.http.port = setting(h, "port", c.http.port);
    c.http.certificate = setting(h, "certificate", c.http.certificate.string());
    c.http.private_key = setting(h, "private_key", c.http.private_key.string());
    c.http.threads = setting(h, "threads", c.http.threads);
    c.http.redirect_port = setting(h, "redirect_port", c.http.redirect_port);
    c.http.cors_origins = setting(h, "cors_origins", c.http.cors_origins);
    c.http.dev_local_access = setting(h, "dev_local_access", c.http.dev_local_access);
    c.http.web_root = setting(h, "web_root", c.http.web_root.string());
    c.http.ohif_root = setting(h, "ohif_root", c.http.ohif_root.string());
  }
  if (root.contains("dicom")) {
    const auto& d = toml::find(root, "dicom");
    ARCA_TRY(check_keys(d, "dicom"));
    c.dicom.aet = setting(d, "aet", c.dicom.aet);
    c.dicom.port = setting(d, "port", c.dicom.port);
    c.dicom.tls_port = setting(d, "tls_port", c.dicom.tls_port);
    c.dicom.bind = setting(d, "bind", c.dicom.bind);
    c.dicom.certificate = setting(d, "certificate", c.dicom.certificate.string());
    c.dicom.private_key = setting(d, "private_key", c.dicom.private_key.string());
    c.dicom.client_ca = setting(d, "client_ca", c.dicom.client_ca.string());
    c.dicom.max_associations = setting(d, "max_associations", c.dicom.max_associations);
    c.dicom.association_timeout_s =
        setting(d, "association_timeout", c.dicom.association_timeout_s);
    c.dicom.dimse_timeout_s = setting(d, "dimse_timeout", c.dicom.dimse_timeout_s);
    c.dicom.max_pdu = setting(d, "max_pdu", c.dicom.max_pdu);
  }
  if (root.contains("storage")) {
    const auto& s = toml::find(root, "storage");
    ARCA_TRY(check_keys(s, "storage"));
    c.storage.encrypt = !setting(s, "unencrypted_benchmark_only", false);
    c.storage.metadata_cache_mb = setting(s, "metadata_cache_mb", c.storage.metadata_cache_mb);
    if (c.storage.metadata_cache_mb < 0)
      return make_error(ErrorCode::kInvalidArgument, "storage.metadata_cache_mb must be >= 0");
    std::string policy = setting<std::string>(s, "conflict_policy", "keep_first");
    if (policy == "keep_first") {
      c.storage.conflict_policy = store::ConflictPolicy::kKeepFirst;
    } else if (policy == "replace") {
      c.storage.conflict_policy = store::ConflictPolicy::kReplace;
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        "storage.conflict_policy must be keep_first or replace");
    }
  }
  if (root.contains("auth")) {
    const auto& a = toml::find(root, "auth");
    ARCA_TRY(check_keys(a, "auth"));
    auth::AuthSettings& s = c.auth;
    s.min_password_length = static_cast<std::size_t>(
        setting(a, "min_password_length", static_cast<int>(s.min_password_length)));
    s.idle_timeout = std::chrono::minutes(
        setting(a, "idle_timeout_minutes",
                static_cast<int>(
                    std::chrono::duration_cast<std::chrono::minutes>(s.idle_timeout).count())));
    s.absolute_timeout = std::chrono::hours(
        setting(a, "absolute_timeout_hours",
                static_cast<int>(
                    std::chrono::duration_cast<std::chrono::hours>(s.absolute_timeout).count())));
    s.argon2.memory_kib = static_cast<std::uint32_t>(
        setting(a, "argon2_memory_kib", static_cast<int>(s.argon2.memory_kib)));
    s.argon2.iterations = static_cast<std::uint32_t>(
        setting(a, "argon2_iterations", static_cast<int>(s.argon2.iterations)));
    s.argon2.parallelism = static_cast<std::uint32_t>(
        setting(a, "argon2_parallelism", static_cast<int>(s.argon2.parallelism)));
    s.lockout_threshold = setting(a, "lockout_threshold", s.lockout_threshold);
    s.totp_issuer = setting(a, "totp_issuer", s.totp_issuer);
  }
  if (root.contains("audit"))
    ARCA_TRY(apply_audit(toml::find(root, "audit"), c.audit));
  if (root.contains("backup")) {
    const auto& b = toml::find(root, "backup");
    ARCA_TRY(check_keys(b, "backup"));
    c.backup.dir = setting(b, "dir", std::string());
    c.backup.keys_dir = setting(b, "keys_dir", std::string());
    c.backup.daily_at = setting(b, "daily_at", std::string());
    c.backup.keep = setting(b, "keep", 0);
    if (c.backup.keep < 0)
      return make_error(ErrorCode::kInvalidArgument, "backup.keep must be 0 (all) or more");
    if (!c.backup.daily_at.empty() &&
        (c.backup.dir.empty() || !parse_minute_of_day(c.backup.daily_at))) {
      return make_error(ErrorCode::kInvalidArgument,
                        "backup.daily_at needs backup.dir and a UTC time HH:MM");
    }
    if (!c.backup.keys_dir.empty() && c.backup.keys_dir == c.backup.dir) {
      return make_error(ErrorCode::kInvalidArgument,
                        "backup.keys_dir must not be backup.dir: the keys are kept apart");
    }
  }
  return ok();
}

Result<void> validate(const Config& c) {
  auto port_ok = [](int p) { return p >= 0 && p <= 65535; };
  if (!port_ok(c.http.port) || !port_ok(c.http.redirect_port) || !port_ok(c.dicom.port) ||
      !port_ok(c.dicom.tls_port)) {
    return make_error(ErrorCode::kInvalidArgument, "ports must be between 0 and 65535");
  }
  if (c.dicom.aet.empty() || c.dicom.aet.size() > 16) {
    return make_error(ErrorCode::kInvalidArgument, "AE title must be 1 to 16 characters");
  }
  if (c.dicom.max_associations < 1 || c.dicom.max_associations > 1024) {
    return make_error(ErrorCode::kInvalidArgument,
                      "dicom.max_associations must be between 1 and 1024");
  }
  if (c.dicom.max_pdu < 4096 || c.dicom.max_pdu > 131072) {
    return make_error(ErrorCode::kInvalidArgument, "dicom.max_pdu must be between 4096 and 131072");
  }
  if (c.dicom.association_timeout_s < 1 || c.dicom.dimse_timeout_s < 1) {
    return make_error(ErrorCode::kInvalidArgument, "DICOM timeouts must be at least 1 second");
  }
  if (c.auth.min_password_length < 8 || c.auth.min_password_length > 128) {
    return make_error(ErrorCode::kInvalidArgument, "auth.min_password_length must be 8..128");
  }
  if (c.auth.argon2.memory_kib < 8 * 1024 || c.auth.argon2.iterations < 1 ||
      c.auth.argon2.parallelism < 1 || c.auth.argon2.parallelism > 16) {
    return make_error(ErrorCode::kInvalidArgument,
                      "auth.argon2_* below the floor (8192 KiB, 1 iteration, 1..16 lanes)");
  }
  if (c.auth.idle_timeout.count() < 60 || c.auth.absolute_timeout < c.auth.idle_timeout ||
      c.auth.lockout_threshold < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "auth timeouts must be at least a minute (absolute >= idle), "
                      "lockout_threshold at least 1");
  }
  for (const std::string& origin : c.http.cors_origins) {
    const std::size_t scheme = origin.find("://");
    const bool web = origin.starts_with("https://") || origin.starts_with("http://");
    if (!web || origin.size() == scheme + 3 ||
        origin.find_first_of("/?#* ", scheme + 3) != std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "http.cors_origins entries are origins like https://viewer.example:8443");
    }
  }
  if (c.http.threads < 1 || c.http.threads > 256) {
    return make_error(ErrorCode::kInvalidArgument, "http.threads must be between 1 and 256");
  }
  return ok();
}

}  // namespace

Result<Config> load_config(const ConfigOverrides& o) {
  Config c;
  if (o.config_file) {
    if (!std::filesystem::exists(*o.config_file)) {
      return make_error(ErrorCode::kNotFound,
                        "config file " + o.config_file->string() + " does not exist");
    }
    try {
      ARCA_TRY(apply_file(toml::parse(o.config_file->string()), c));
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kInvalidArgument, std::string("config: ") + e.what());
    }
  }
  if (o.data_dir)
    c.data_dir = *o.data_dir;
  if (o.key_file)
    c.key_file = *o.key_file;
  if (o.http_port)
    c.http.port = *o.http_port;
  if (o.http_bind) {
    c.http.bind = *o.http_bind;
    c.dicom.bind = *o.http_bind;
  }
  if (o.dicom_port)
    c.dicom.port = *o.dicom_port;
  if (o.dicom_tls_port)
    c.dicom.tls_port = *o.dicom_tls_port;
  if (o.aet)
    c.dicom.aet = *o.aet;
  if (o.dev_local_access)
    c.http.dev_local_access = true;
  ARCA_TRY(validate(c));
  return c;
}

}  // namespace arca::app
