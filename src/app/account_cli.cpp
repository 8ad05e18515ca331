#include "app/account_cli.h"

#include "app/cli_flags.h"

namespace arca::app {
namespace {

using Action = AccountCommand::Action;

CLI::App* action(CLI::App* parent, const char* name, const char* help, AccountCommand& c,
                 Action a) {
  auto* sub = parent->add_subcommand(name, help);
  sub->fallthrough();  // the archive flags of the parent are accepted after the action too
  sub->callback([&c, a] { c.action = a; });
  return sub;
}

void add_user_commands(CLI::App* user, AccountCommand& c) {
  auto* add = action(user, "add", "Create a user; prints the one-time password (shown once)", c,
                     Action::kUserAdd);
  add->add_option("username", c.username, "Login name")->required();
  add->add_option("--role", c.roles,
                  "Roles, comma-separated: admin, radiologist, technologist, referring, "
                  "front_desk, auditor")
      ->required();
  add->add_option("--tenant", c.tenant, "Tenant (default: default)");
  add->add_flag("--service-account", c.service_account,
                "An integration account: no password sign-in, API tokens only");
  add->add_flag("--system-admin", c.system_admin, "May manage tenants and every tenant's users");
  add->add_option("--linked-name", c.linked_name,
                  "Referring physician's DICOM name (Family^Given), for name-matched studies");
  add->add_flag("--json", c.json, "Print the result as JSON");

  auto* list = action(user, "list", "List users", c, Action::kUserList);
  list->add_option("--tenant", c.tenant, "Only this tenant (default: all)");
  list->add_flag("--json", c.json, "Print JSON");

  for (auto [name, help, a] :
       {std::tuple{"disable", "Disable a user and end their sessions", Action::kUserDisable},
        std::tuple{"enable", "Enable a disabled user", Action::kUserEnable},
        std::tuple{"reset-password",
                   "Set a new one-time password (printed; must be changed at sign-in)",
                   Action::kUserResetPassword},
        std::tuple{"reset-mfa", "Remove the user's second factor; they enrol again",
                   Action::kUserResetMfa}}) {
    auto* sub = action(user, name, help, c, a);
    sub->add_option("username", c.username, "Login name")->required();
  }
  auto* grant = action(user, "grant", "Grant (or --revoke) a study to a referring physician", c,
                       Action::kUserGrant);
  grant->add_option("username", c.username, "Login name")->required();
  grant->add_option("--study", c.study, "Study Instance UID")->required();
  grant->add_flag("--revoke", c.revoke, "Remove the grant instead");
  auto* roles = action(user, "roles", "Replace a user's roles", c, Action::kUserRoles);
  roles->add_option("username", c.username, "Login name")->required();
  roles->add_option("--role", c.roles, "Roles, comma-separated")->required();
}

void add_token_commands(CLI::App* token, AccountCommand& c) {
  auto* create = action(token, "create", "Create an API token; prints the token alone (once)", c,
                        Action::kTokenCreate);
  create->add_option("--user", c.username, "The account the token acts for")->required();
  create->add_option("--name", c.token_name, "What the token is for")->required();
  create
      ->add_option("--permissions", c.permissions,
                   "Comma-separated subset of the account's permissions, e.g. "
                   "study.query,image.read")
      ->required();
  create->add_option("--days", c.days, "Lifetime in days (default 90)")->check(CLI::Range(1, 365));
  auto* list = action(token, "list", "List API tokens (never their values)", c, Action::kTokenList);
  list->add_option("--tenant", c.tenant, "Tenant (default: default)");
  list->add_flag("--json", c.json, "Print JSON");
  auto* revoke = action(token, "revoke", "Revoke an API token", c, Action::kTokenRevoke);
  revoke->add_option("id", c.token_id, "Token id (from token list)")->required();
}

void add_tenant_commands(CLI::App* tenant, AccountCommand& c) {
  auto* add = action(tenant, "add", "Add a tenant", c, Action::kTenantAdd);
  add->add_option("id", c.tenant_id, "Tenant id: lower-case letters, digits, '-'")->required();
  add->add_option("--name", c.display_name, "Display name");
  action(tenant, "list", "List tenants", c, Action::kTenantList);
  auto* set = action(tenant, "set", "Change a tenant's settings", c, Action::kTenantSet);
  set->add_option("id", c.tenant_id, "Tenant id")->required();
  set->add_option("--mfa", c.mfa,
                  "Second factor for users who can read images, PHI or the audit trail (default: "
                  "required)")
      ->check(CLI::IsMember({"required", "optional"}));
  set->add_option("--referring-name-match", c.referring_match,
                  "Referring physicians also see studies whose ReferringPhysicianName is their "
                  "linked name")
      ->check(CLI::IsMember({"on", "off"}));
  set->add_option("--open-storage", c.open_storage,
                  "DICOM peers that are not configured may C-STORE into this tenant (one "
                  "tenant at most; off by default)")
      ->check(CLI::IsMember({"on", "off"}));
}

}  // namespace

AccountSubcommands add_account_commands(CLI::App& app, ConfigOverrides& o, AccountCommand& c) {
  AccountSubcommands s;
  s.user = app.add_subcommand("user", "Manage user accounts");
  s.token = app.add_subcommand("token", "Manage API tokens");
  s.tenant = app.add_subcommand("tenant", "Manage tenants (system admin)");
  for (CLI::App* cmd : {s.user, s.token, s.tenant}) {
    cmd->require_subcommand(1);
    add_archive_flags(cmd, o);
  }
  add_user_commands(s.user, c);
  add_token_commands(s.token, c);
  add_tenant_commands(s.tenant, c);
  return s;
}

}  // namespace arca::app
