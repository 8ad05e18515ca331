#include "app/cli_flags.h"

namespace arca::app {

// The flags every subcommand that touches the archive accepts.
void add_archive_flags(CLI::App* cmd, ConfigOverrides& o) {
  auto path_opt = [cmd](const char* name, std::optional<std::filesystem::path>& target,
                        const char* help) {
    cmd->add_option_function<std::string>(
        name, [&target](const std::string& v) { target = v; }, help);
  };
  path_opt("--config", o.config_file, "Configuration file (TOML), e.g. arca.toml");
  path_opt("--data-dir", o.data_dir, "Archive data directory (default ./arca-data)");
  path_opt("--key-file", o.key_file,
           "Root key file, kept outside the data directory (default ./arca-secrets/root.key)");
  cmd->add_option_function<int>(
      "--http-port", [&o](int v) { o.http_port = v; }, "HTTPS port (default 8443)");
  cmd->add_option_function<std::string>(
      "--bind", [&o](const std::string& v) { o.http_bind = v; },
      "Address the HTTPS and DICOM listeners bind (default 0.0.0.0)");
  cmd->add_option_function<int>(
      "--dicom-port", [&o](int v) { o.dicom_port = v; }, "DICOM port (default 11112)");
  cmd->add_option_function<int>(
      "--dicom-tls-port", [&o](int v) { o.dicom_tls_port = v; }, "DICOM TLS port (default 2762)");
  cmd->add_option_function<std::string>(
      "--aet", [&o](const std::string& v) { o.aet = v; }, "Called AE title (default ARCA)");
}

}  // namespace arca::app
