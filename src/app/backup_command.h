// `arca backup create|verify|keys|list` and `arca restore` (docs/adr/0019-backup-and-restore.md).
// Every one but `list` records an audit event (action backup/restore); `restore` records into
// the restored archive's trail. Exit codes: 0 success, 1 failure, 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/archive.h"
#include "app/config.h"

namespace arca::app {

struct BackupCli {
  CLI::App* backup = nullptr;
  CLI::App* create = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* keys = nullptr;
  CLI::App* list = nullptr;
  CLI::App* restore = nullptr;
  std::string to;
  std::string dir;
  std::vector<std::string> dirs;
  std::string from;
  std::string data;
  std::string keys_file;
  bool json = false;

  bool backup_parsed() const { return backup != nullptr && backup->parsed(); }
  bool restore_parsed() const { return restore != nullptr && restore->parsed(); }
};

// Registers `backup` (with its actions) and `restore` on the app.
void add_backup_commands(CLI::App& app, ConfigOverrides& overrides, BackupCli& cli);

// `arca backup …` on the open archive.
int run_backup(Archive& archive, const BackupCli& cli, std::ostream& out, std::ostream& err);

// `arca restore`: does not open the configured archive as such (it may not exist); reads its
// root key, and its key vault when no --keys file is given (taking its lock).
int run_restore(const Config& config, Logger& logger, const BackupCli& cli, std::ostream& out,
                std::ostream& err);

}  // namespace arca::app
