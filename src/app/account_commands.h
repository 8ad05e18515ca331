// `arca user …`, `arca token …` and `arca tenant …`: account administration from the console,
// run by the local operator (who holds the root key) through the same AccountService as the
// JSON API, so every change is authorized and audited the same way.
#pragma once

#include <iosfwd>
#include <string>

#include "app/archive.h"

namespace arca::app {

struct AccountCommand {
  enum class Action {
    kUserAdd,
    kUserList,
    kUserDisable,
    kUserEnable,
    kUserResetPassword,
    kUserResetMfa,
    kUserGrant,
    kUserRoles,
    kTokenCreate,
    kTokenList,
    kTokenRevoke,
    kTenantAdd,
    kTenantList,
    kTenantSet,
  };
  Action action = Action::kUserList;
  std::string username;
  std::string tenant;  // empty: "default" (user add, token list), all (user list)
  std::string roles;   // comma-separated role names
  bool service_account = false;
  bool system_admin = false;
  std::string linked_name;
  std::string study;
  bool revoke = false;
  std::string token_name;
  std::string permissions;  // comma-separated permission names
  int days = 90;
  long long token_id = 0;
  std::string tenant_id;
  std::string display_name;
  std::string mfa;              // tenant set: "required" | "optional" | ""
  std::string referring_match;  // tenant set: "on" | "off" | ""
  std::string open_storage;     // tenant set: "on" | "off" | ""
  bool json = false;
};

// Exit code 0, 1 on failure, 2 on a malformed argument.
int run_account_command(Archive& archive, const AccountCommand& command, std::ostream& out,
                        std::ostream& err);

}  // namespace arca::app
