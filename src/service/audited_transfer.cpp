// AuditedTransfer, and the two RetrieveService calls that make one: stream() and open_export().
#include "service/audited_transfer.h"

#include "service/audit_trail.h"

namespace arca::service {

Result<std::unique_ptr<AuditedTransfer>> RetrieveService::stream(const RequestContext& ctx,
                                                                 RetrievePlan plan) {
  ARCA_TRY(record_transfer_begin(ctx, plan.instances()));  // fail closed: before any byte
  return std::unique_ptr<AuditedTransfer>(
      new AuditedTransfer(*this, ctx, AuditAction::kRetrieve, std::move(plan.instances_)));
}

Result<std::unique_ptr<AuditedTransfer>> RetrieveService::open_export(const RequestContext& ctx,
                                                                      const StudyUid& study) {
  auto rows = ARCA_TRY(authorize_export(ctx, study));  // records transfer_begin
  return std::unique_ptr<AuditedTransfer>(
      new AuditedTransfer(*this, ctx, AuditAction::kExport, std::move(rows), study));
}

AuditedTransfer::AuditedTransfer(RetrieveService& service, RequestContext ctx, AuditAction closing,
                                 std::vector<store::StoredInstance> rows, StudyUid study)
    : service_(service),
      ctx_(std::move(ctx)),
      closing_(closing),
      rows_(std::move(rows)),
      study_(std::move(study)) {}

AuditedTransfer::~AuditedTransfer() {
  // The bytes have gone out (after a recorded transfer_begin); a failure to record here is
  // logged by record_or_refuse but cannot take them back.
  if (!finished_)
    (void)finish(closing_ == AuditAction::kExport
                     ? Result<void>(make_error(ErrorCode::kUnavailable, "interrupted"))
                     : Result<void>());
}

Result<OpenedInstance> AuditedTransfer::open(std::size_t i) {
  if (finished_ || i >= rows_.size())
    return make_error(ErrorCode::kInvalidArgument, "no such instance in this transfer");
  asked_.push_back(i);
  auto reader = service_.deps_.blobs.open(rows_[i].blob);
  if (!reader.ok()) {
    ++failures_;
    service_.deps_.logger.info("transfer of instance " +
                               rows_[i].attributes.instance.sop_instance_uid.str() +
                               " failed: " + reader.error().to_string());
    return std::move(reader).error();
  }
  opened_.push_back(i);
  return OpenedInstance{rows_[i], std::move(reader).take()};
}

Result<std::unique_ptr<ByteSource>> AuditedTransfer::open_verified(std::size_t i) {
  OpenedInstance opened = ARCA_TRY(open(i));
  return std::unique_ptr<ByteSource>(
      std::make_unique<VerifiedSource>(std::move(opened.reader), rows_[i]));
}

Result<void> AuditedTransfer::finish(const Result<void>& outcome) {
  if (finished_)
    return ok();
  finished_ = true;
  return record_or_refuse(service_.deps_.audit, closing_event(outcome), service_.deps_.logger);
}

audit::AuditEvent AuditedTransfer::closing_event(const Result<void>& outcome) const {
  audit::AuditEvent event = audit_event(ctx_, closing_, service_.deps_.clock);
  const bool exporting = closing_ == AuditAction::kExport;
  if (exporting && !study_.empty())
    event.studies.push_back(study_);
  for (std::size_t i : exporting ? asked_ : opened_) {
    const store::StoredInstance& row = rows_[i];
    if (!exporting)
      add_unique(event.studies, row.attributes.study.study_uid);
    event.instances.push_back(row.attributes.instance.sop_instance_uid);
    add_unique(event.patients, row.patient_ref);
  }
  if (exporting) {
    set_outcome(event, outcome.ok() ? nullptr : &outcome.error());
    return event;
  }
  const std::size_t unsent = rows_.size() - opened_.size() - failures_;
  if (failures_ > 0 || unsent > 0)
    event.detail = std::to_string(failures_) + " failed, " + std::to_string(unsent) +
                   " not sent of " + std::to_string(rows_.size());
  Error failed = outcome.ok() ? make_error(ErrorCode::kIntegrity, "") : outcome.error();
  set_outcome(event, failures_ == 0 && outcome.ok() ? nullptr : &failed);
  return event;
}

}  // namespace arca::service
