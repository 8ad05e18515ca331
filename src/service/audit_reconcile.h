// reconcile_store_records: the startup repair of the one gap the ingest audit protocol leaves
// (docs/adr/0014). The group committer commits an ingest batch to the index (fsynced) and then
// appends the batch's store records to the audit log, committed but fsynced only within
// [audit] sync_interval_ms. A process crash between the two, or a power loss before the audit
// WAL was synced, leaves instances in the index whose store is not in the trail. Before any
// listener opens, this finds them and records each store (actor "system", outcome success,
// detail saying it was recovered) through the recorder, so the trail again names every stored
// instance.
// Which instances: those received at or after (the trail's newest record's time - `window`):
// the lost records are the trail's unsynced tail (SQLite WAL recovery keeps a prefix of the
// commits), so every lost store was received shortly before the newest surviving record or
// after it; the window (10 minutes by default, far longer than a store takes from receipt to
// commit) covers slow uploads. An empty trail checks every instance. A store counts as in the
// trail when a successful store record of the same tenant names the instance.
// A trail that ends below its last signed checkpoint was truncated, not cut by a crash (a
// checkpoint is a durable commit, so the records it covers survive any crash): nothing is
// recorded then, so that `arca audit verify` reports the truncation as it is.
// Thread-safety: run once at startup, before the archive serves anything.
#pragma once

#include <chrono>
#include <cstdint>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "store/audit_log.h"
#include "store/index.h"

namespace arca::service {

struct ReconcileDeps {
  store::IndexReader& index;
  store::AuditLog& log;
  audit::AuditRecorder& recorder;  // where recovered records go (the chain over `log`)
  const Clock& clock;
  Logger& logger;
};

struct ReconcileReport {
  std::uint64_t checked = 0;    // instances received within the window
  std::uint64_t recovered = 0;  // of those, stores recorded now
  bool truncated = false;       // the trail ends below its last checkpoint: left untouched
};

inline constexpr std::chrono::milliseconds kReconcileWindow = std::chrono::minutes(10);
inline constexpr std::string_view kRecoveredDetail =
    "recovered at startup: stored without a record (a crash after its index commit, or the "
    "benchmark-only audit switch was off)";

Result<ReconcileReport> reconcile_store_records(
    ReconcileDeps deps, std::chrono::milliseconds window = kReconcileWindow);

}  // namespace arca::service
