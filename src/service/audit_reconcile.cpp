#include "service/audit_reconcile.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "service/audit_trail.h"

namespace arca::service {
namespace {

using StoreKey = std::pair<std::string, std::string>;  // tenant, SOP Instance UID

// The trail's successful stores recorded at or after `from_ms`.
Result<std::set<StoreKey>> recorded_stores(store::AuditLog& log, std::int64_t from_ms) {
  constexpr std::size_t kPage = 1000;
  const std::string store_action(audit_action_name(AuditAction::kStore));
  std::set<StoreKey> out;
  std::uint64_t after = 0;
  for (;;) {
    auto page = ARCA_TRY(
        log.read_time_range(from_ms, std::numeric_limits<std::int64_t>::max(), after, kPage));
    for (const store::AuditRecord& r : page) {
      if (r.action != store_action || r.outcome != "success")
        continue;
      for (const std::string& uid : r.instances)
        out.emplace(r.tenant, uid);
    }
    if (page.size() < kPage)
      return out;
    after = page.back().seq;
  }
}

}  // namespace

Result<ReconcileReport> reconcile_store_records(ReconcileDeps deps,
                                                std::chrono::milliseconds window) {
  ReconcileReport report;
  const store::AuditHead head = ARCA_TRY(deps.log.head());
  auto checkpoints = ARCA_TRY(deps.log.checkpoints());
  if (!checkpoints.empty() && checkpoints.back().seq > head.seq) {
    // A signed checkpoint is a durable commit: a crash never loses the records it covers. A
    // trail ending below one was cut short, which `arca audit verify` must see as it is.
    deps.logger.error("audit: the trail ends at record " + std::to_string(head.seq) +
                      ", before its last signed checkpoint (" +
                      std::to_string(checkpoints.back().seq) +
                      "): not a crash; nothing recovered, run `arca audit verify`");
    report.truncated = true;
    return report;
  }
  std::int64_t from_ms = std::numeric_limits<std::int64_t>::min();
  if (head.seq > 0) {
    auto newest = ARCA_TRY(deps.log.read(head.seq, 1));
    if (!newest.empty())
      from_ms = newest.front().time_ms - window.count();
  }
  // The rows are visited twice, one at a time (a busy window holds many): the first, oldest,
  // says from where to read the trail; then each is looked up in what was read.
  std::optional<std::int64_t> earliest;
  auto first = deps.index.for_each_instance_received_since(
      from_ms, [&](const store::StoredInstance& row) -> Result<void> {
        earliest = row.received_ms;
        return make_error(ErrorCode::kCancelled, "the oldest row is all this pass needs");
      });
  if (!earliest) {
    ARCA_TRY(first);
    return report;
  }
  // A store's record is made after its instance was received; read from the earliest receipt
  // (less the window again, should the clock have stepped back).
  const std::int64_t read_from =
      *earliest > std::numeric_limits<std::int64_t>::min() + window.count()
          ? *earliest - window.count()
          : *earliest;
  const std::set<StoreKey> recorded = ARCA_TRY(recorded_stores(deps.log, read_from));
  ARCA_TRY(deps.index.for_each_instance_received_since(
      from_ms, [&](const store::StoredInstance& row) -> Result<void> {
        ++report.checked;
        if (recorded.count({row.tenant.str(), row.attributes.instance.sop_instance_uid.str()}) > 0)
          return ok();
        ARCA_TRY(
            deps.recorder.record(system_store_event(row, deps.clock, kRecoveredDetail, nullptr)));
        ++report.recovered;
        return ok();
      }));
  if (report.recovered > 0) {
    deps.logger.warn("audit: recorded " + std::to_string(report.recovered) +
                     " stores whose records were lost (a crash after their index commit)");
  }
  return report;
}

}  // namespace arca::service
