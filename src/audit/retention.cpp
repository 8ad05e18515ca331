#include "audit/retention.h"

namespace arca::audit {
namespace {

AuditEvent retention_event(const Clock& clock, std::string detail) {
  AuditEvent e;
  e.time = clock.now();
  e.actor = "arca";
  e.action = AuditAction::kAdmin;
  e.detail = std::move(detail);
  return e;
}

}  // namespace

Result<PruneResult> prune_expired(store::AuditLog& log, AuditRecorder& recorder, const Clock& clock,
                                  std::chrono::days retention) {
  std::int64_t cutoff_ms = to_unix_ms(clock.now() - retention);
  auto first = ARCA_TRY(log.read(1, 1));
  if (first.empty())
    return PruneResult{};
  PruneResult result;
  result.from = first[0].seq;
  // Oldest first: stop at the first checkpoint whose record is not yet expired.
  for (const auto& c : ARCA_TRY(log.checkpoints())) {
    if (c.seq < result.from)
      continue;
    auto signed_record = ARCA_TRY(log.read(c.seq, 1));
    if (signed_record.empty() || signed_record[0].seq != c.seq ||
        signed_record[0].time_ms >= cutoff_ms)
      break;
    result.through = c.seq;
  }
  if (result.through == 0)
    return PruneResult{};
  std::string range = std::to_string(result.from) + ".." + std::to_string(result.through);
  std::string days = std::to_string(retention.count());
  ARCA_TRY(recorder.record(retention_event(
      clock, "retention: removing audit records " + range + " (older than " + days + " days)")));
  auto removed = log.prune_through(result.through);
  if (!removed.ok()) {
    auto failed = retention_event(clock, "retention: removing audit records " + range);
    failed.outcome = Outcome::kFailure;
    failed.error_code = std::string(error_code_name(removed.error().code));
    (void)recorder.record(failed);  // the failure is returned either way
    return std::move(removed).error();
  }
  result.removed = removed.value();
  return result;
}

}  // namespace arca::audit
