#include "service/delete_service.h"

#include <algorithm>

#include "service/audit_trail.h"
#include "service/authorize.h"

namespace arca::service {

Result<DeleteReport> DeleteService::delete_study(const RequestContext& ctx, const StudyUid& study) {
  audit::AuditEvent event = audit_event(ctx, AuditAction::kDelete, deps_.clock);
  event.studies.push_back(study);
  auto removed = [&]() -> Result<std::vector<store::StoredInstance>> {
    ARCA_TRY(authorize_study(ctx, Permission::kStudyDelete, study));
    auto tx = ARCA_TRY(deps_.index.begin());
    auto rows = ARCA_TRY(tx->remove_study(ctx.principal.tenant, study));
    if (rows.empty())
      return make_error(ErrorCode::kNotFound, "no such study");
    ARCA_TRY(tx->commit());
    return rows;
  }();
  if (!removed.ok()) {
    set_outcome(event, &removed.error());
    (void)record_or_refuse(deps_.audit, event, deps_.logger);  // refused or failed either way
    return std::move(removed).error();
  }
  DeleteReport report;
  for (const store::StoredInstance& row : removed.value()) {
    add_unique(event.patients, row.patient_ref);
    add_unique(event.series, row.attributes.series.series_uid);
    event.instances.push_back(row.attributes.instance.sop_instance_uid);
    auto gone = deps_.blobs.remove(row.blob);
    if (!gone.ok() && gone.error().code != ErrorCode::kNotFound) {
      deps_.logger.warn("could not remove blob " + row.blob.str() +
                        " of a deleted study: " + gone.error().to_string());
      ++report.blobs_left;
    }
  }
  if (deps_.metadata_cache)
    for (const SeriesUid& series : event.series)
      deps_.metadata_cache->forget_series(ctx.principal.tenant, series);
  report.instances = event.instances.size();
  report.series = event.series.size();
  event.detail = std::to_string(report.instances) + " instances in " +
                 std::to_string(report.series) + " series deleted";
  if (report.blobs_left > 0)
    event.detail += ", " + std::to_string(report.blobs_left) + " blobs left for the sweep";
  set_outcome(event, nullptr);
  auto audited = record_or_refuse(deps_.audit, event, deps_.logger);
  if (!audited.ok()) {
    deps_.logger.error("study " + study.str() + " was deleted (" + event.detail +
                       ") but the deletion could not be audited");
    return std::move(audited).error();
  }
  return report;
}

}  // namespace arca::service
