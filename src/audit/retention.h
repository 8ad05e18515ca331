// Retention of the audit trail (default 6 years, `[audit] retention_days`): removes the oldest
// whole signed segment run, i.e. every record up to the newest checkpoint whose record is older
// than the retention period, and records that it did so in the trail itself before removing
// anything (if that record cannot be written, nothing is removed). The checkpoint at the cut
// stays as the signed anchor the remaining chain starts from (verify_chain).
// Thread-safety: a free function; run by one caller at a time.
#pragma once

#include <chrono>

#include "audit/recorder.h"
#include "core/clock.h"
#include "store/audit_log.h"

namespace arca::audit {

struct PruneResult {
  std::uint64_t from = 0;     // first record removed
  std::uint64_t through = 0;  // last record removed (a checkpoint's seq); 0: nothing expired
  std::uint64_t removed = 0;
};

Result<PruneResult> prune_expired(store::AuditLog& log, AuditRecorder& recorder, const Clock& clock,
                                  std::chrono::days retention);

}  // namespace arca::audit
