// RetrieveService::stream and PlannedStream: a planned retrieve pulled by a streamed response.
#include <algorithm>

#include "service/audit_trail.h"
#include "service/retrieve_service.h"

namespace arca::service {

Result<std::unique_ptr<PlannedStream>> RetrieveService::stream(const RequestContext& ctx,
                                                               RetrievePlan plan) {
  ARCA_TRY(record_transfer_begin(ctx, plan.instances()));  // fail closed: before any byte
  return std::unique_ptr<PlannedStream>(new PlannedStream(*this, ctx, std::move(plan)));
}

Result<OpenedInstance> PlannedStream::open(std::size_t i) {
  const auto& rows = plan_.instances();
  if (i >= rows.size())
    return make_error(ErrorCode::kInvalidArgument, "no such planned instance");
  auto reader = service_.deps_.blobs.open(rows[i].blob);
  if (!reader.ok()) {
    ++failures_;
    service_.deps_.logger.info("retrieve of instance " +
                               rows[i].attributes.instance.sop_instance_uid.str() +
                               " failed: " + reader.error().to_string());
    return std::move(reader).error();
  }
  opened_.push_back(i);
  return OpenedInstance{rows[i], std::move(reader).take()};
}

PlannedStream::~PlannedStream() {
  const auto& rows = plan_.instances();
  audit::AuditEvent event = audit_event(ctx_, AuditAction::kRetrieve, service_.deps_.clock);
  for (std::size_t i : opened_) {
    const store::StoredInstance& row = rows[i];
    const StudyUid& study = row.attributes.study.study_uid;
    if (std::find(event.studies.begin(), event.studies.end(), study) == event.studies.end())
      event.studies.push_back(study);
    event.instances.push_back(row.attributes.instance.sop_instance_uid);
    if (std::find(event.patients.begin(), event.patients.end(), row.patient_ref) ==
        event.patients.end())
      event.patients.push_back(row.patient_ref);
  }
  Error failed = make_error(ErrorCode::kIntegrity, "");
  const std::size_t unsent = rows.size() - opened_.size() - failures_;
  if (failures_ > 0 || unsent > 0) {
    event.detail = std::to_string(failures_) + " failed, " + std::to_string(unsent) +
                   " not sent of " + std::to_string(rows.size());
  }
  set_outcome(event, failures_ == 0 ? nullptr : &failed);
  // The bytes have gone out (after a recorded transfer_begin); a failure here is logged by
  // record_or_refuse but cannot take them back.
  (void)record_or_refuse(service_.deps_.audit, event, service_.deps_.logger);
}

}  // namespace arca::service
