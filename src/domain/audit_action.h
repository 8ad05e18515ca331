// What an access is, for the audit trail. Every route and use case names one (STYLE rule 8);
// kNone is an explicit "not audited" for liveness probes and static assets.
#pragma once

#include <string_view>

namespace arca {

enum class AuditAction {
  kNone,
  kLogin,
  kLogout,
  kQuery,
  kRetrieve,
  kTransferBegin,  // before the first object of a retrieve or export leaves (fail closed)
  kStore,
  kDelete,
  kErase,
  kExport,
  kShare,
  kAdmin,
  kAuditRead,
  kBackup,   // a backup created or verified, or the key vault exported (docs/adr/0019)
  kRestore,  // an archive restored from a backup (recorded in the restored trail)
};

std::string_view audit_action_name(AuditAction a);

}  // namespace arca
