// RequestContext: every request, whatever its transport, becomes one of these before it reaches
// service/ (DESIGN §1). service/ decides, in this order: authorize -> do -> audit.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "domain/ids.h"
#include "domain/permission.h"

namespace arca::service {

struct Principal {
  enum class Kind { kLocalOperator, kUser, kApiToken, kDimsePeer, kShareLink };

  Kind kind = Kind::kUser;
  // Opaque, and what audit records name as their actor: "user:42", "token:7", "ae:CT1" (a
  // registered DIMSE peer), "open:CT1" (an unregistered AE title admitted by open storage),
  // "local-operator", a share id.
  std::string id;
  TenantId tenant;
  std::int64_t user_id = 0;          // the account behind a user session or API token; 0 otherwise
  bool system_admin = false;         // may manage tenants and act across them
  std::set<Permission> permissions;  // exactly what it may do; empty means nothing
  // nullopt: every study of its tenant; otherwise only these Study Instance UIDs (a referring
  // physician's granted studies, DESIGN §5). Checked by service/, never by a transport.
  std::optional<std::set<std::string>> study_scope;

  bool may(Permission p) const { return permissions.count(p) != 0; }
  bool sees_study(const StudyUid& study) const {
    return !study_scope || study_scope->count(study.str()) != 0;
  }

  // The person at the console running `arca import|export|check` on the archive's own files:
  // whoever can read the root key file can do everything already, so it holds every permission
  // in its tenant. Never produced by a network transport.
  static Principal local_operator(const TenantId& tenant);
};

struct RequestContext {
  Principal principal;
  std::string client_address;  // "127.0.0.1:51234", "console"
  std::string request_id;
  std::string user_agent = {};  // HTTP User-Agent; empty for DIMSE and the console
};

// A console command's context: the local operator of `tenant`, from "console".
RequestContext console_context(const TenantId& tenant = default_tenant());

}  // namespace arca::service
