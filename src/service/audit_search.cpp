#include "service/audit_search.h"

#include <algorithm>
#include <optional>

#include "service/audit_trail.h"
#include "service/authorize.h"

namespace arca::service {
namespace {

// Records read per batch; a search stops after kMaxScanned to bound one request's work (then
// the page says where to go on). A search by patient, study or exact actor reads the trail's
// search filters and only the segments that may hold its key, 200 steps of up to 65,536 records
// each per request.
constexpr std::size_t kBatch = 1000;
constexpr std::size_t kMaxScanned = 200000;

bool contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool actor_matches(const std::string& wanted, const std::string& actor) {
  if (wanted.empty() || actor == wanted)
    return true;
  if (wanted.find(':') != std::string::npos)
    return false;
  return actor == "ae:" + wanted || actor == "open:" + wanted;
}

// The most selective search key the filter names, if any: the patient, else the study, else an
// exact actor (a bare AE title stands for three actors and is matched by scanning).
std::optional<store::AuditKey> key_of(const AuditFilter& filter, const std::string& patient_ref) {
  if (!patient_ref.empty())
    return store::AuditKey{store::AuditKeyKind::kPatient, patient_ref};
  if (!filter.study.empty())
    return store::AuditKey{store::AuditKeyKind::kStudy, filter.study};
  if (filter.actor.find(':') != std::string::npos)
    return store::AuditKey{store::AuditKeyKind::kActor, filter.actor};
  return std::nullopt;
}

}  // namespace

Result<AuditPage> AuditSearch::find_page(const RequestContext& ctx, const AuditFilter& filter) {
  std::string patient_ref;
  if (filter.patient_id)
    patient_ref =
        deps_.patient_refs.ref(ctx.principal.tenant, filter.issuer, *filter.patient_id).str();
  AuditPage out;
  std::uint64_t cursor = filter.newest_first ? filter.before : filter.after;
  std::size_t scanned = 0;
  // Records the key finds are still matched below against every filter: a key only leads to a
  // record, whose own (hash-chained) contents decide.
  const auto key = key_of(filter, patient_ref);
  while (out.records.size() < filter.limit) {
    std::vector<store::AuditRecord> batch;
    std::uint64_t next = cursor;  // where the next read goes on from
    bool end = false;
    if (key) {
      auto step = ARCA_TRY(deps_.log.read_by_key(*key, filter.from_ms, filter.to_ms, cursor,
                                                 filter.newest_first, kBatch));
      batch = std::move(step.records);
      next = step.cursor;
      end = step.end;
    } else {
      batch = ARCA_TRY(
          filter.newest_first
              ? deps_.log.read_time_range_newest_first(filter.from_ms, filter.to_ms, cursor, kBatch)
              : deps_.log.read_time_range(filter.from_ms, filter.to_ms, cursor, kBatch));
      end = batch.size() < kBatch;
      if (!batch.empty())
        next = batch.back().seq;
    }
    bool full = false;
    for (store::AuditRecord& r : batch) {
      cursor = r.seq;
      bool match = (ctx.principal.system_admin || r.tenant == ctx.principal.tenant.str()) &&
                   actor_matches(filter.actor, r.actor) &&
                   (filter.action.empty() || r.action == filter.action) &&
                   (filter.outcome.empty() || r.outcome == filter.outcome) &&
                   (filter.study.empty() || contains(r.studies, filter.study)) &&
                   (patient_ref.empty() || contains(r.patients, patient_ref));
      if (match) {
        out.records.push_back(std::move(r));
        if (out.records.size() == filter.limit) {
          full = true;
          break;
        }
      }
    }
    if (full)
      break;  // the next page goes on after the last record taken
    cursor = next;
    if (end)
      return out;  // the end of the range
    // A keyed step counts as a batch: it reads up to 64 segments' filters (65,536 records).
    scanned += key ? kBatch : batch.size();
    if (scanned >= kMaxScanned)
      break;
  }
  out.next_after = cursor;
  return out;
}

Result<AuditPage> AuditSearch::search(const RequestContext& ctx, const AuditFilter& filter) {
  auto page = [&]() -> Result<AuditPage> {
    ARCA_TRY(authorize(ctx, Permission::kAuditRead));
    if (filter.limit < 1 || filter.limit > 1000)
      return make_error(ErrorCode::kInvalidArgument, "limit must be 1..1000");
    return find_page(ctx, filter);
  }();
  audit::AuditEvent event = audit_event(ctx, AuditAction::kAuditRead, deps_.clock);
  event.detail = filter.patient_id ? "patient access report" : "audit search";
  if (page.ok())
    event.detail += ", " + std::to_string(page->records.size()) + " records";
  if (!filter.study.empty())
    event.studies.emplace_back(filter.study);
  set_outcome(event, page.ok() ? nullptr : &page.error());
  ARCA_TRY(record_or_refuse(deps_.audit, event, deps_.logger));
  return page;
}

}  // namespace arca::service
