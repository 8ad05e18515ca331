// The command-line shape of `arca user|token|tenant …` (filled into an AccountCommand).
#pragma once

#include <CLI/CLI.hpp>

#include "app/account_commands.h"
#include "app/config.h"

namespace arca::app {

struct AccountSubcommands {
  CLI::App* user = nullptr;
  CLI::App* token = nullptr;
  CLI::App* tenant = nullptr;
  bool any_parsed() const { return user->parsed() || token->parsed() || tenant->parsed(); }
};

AccountSubcommands add_account_commands(CLI::App& app, ConfigOverrides& o, AccountCommand& c);

}  // namespace arca::app
