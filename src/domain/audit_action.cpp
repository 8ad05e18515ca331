#include "domain/audit_action.h"

namespace arca {

std::string_view audit_action_name(AuditAction a) {
  switch (a) {
    case AuditAction::kNone:
      return "none";
    case AuditAction::kLogin:
      return "login";
    case AuditAction::kLogout:
      return "logout";
    case AuditAction::kQuery:
      return "query";
    case AuditAction::kRetrieve:
      return "retrieve";
    case AuditAction::kTransferBegin:
      return "transfer_begin";
    case AuditAction::kStore:
      return "store";
    case AuditAction::kDelete:
      return "delete";
    case AuditAction::kErase:
      return "erase";
    case AuditAction::kExport:
      return "export";
    case AuditAction::kShare:
      return "share";
    case AuditAction::kAdmin:
      return "admin";
    case AuditAction::kAuditRead:
      return "audit_read";
    case AuditAction::kBackup:
      return "backup";
    case AuditAction::kRestore:
      return "restore";
  }
  return "unknown";
}

}  // namespace arca
