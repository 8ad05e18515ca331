#include "service/study_export.h"

#include <algorithm>

namespace arca::service {

StudyExport::StudyExport(RetrieveService& service, RequestContext ctx, StudyUid study,
                         std::vector<store::StoredInstance> instances)
    : service_(service),
      ctx_(std::move(ctx)),
      study_(std::move(study)),
      instances_(std::move(instances)) {}

StudyExport::~StudyExport() {
  if (!finished_)
    (void)finish(make_error(ErrorCode::kUnavailable, "interrupted"));
}

Result<std::unique_ptr<ByteSource>> StudyExport::open(std::size_t i) {
  if (finished_ || i >= instances_.size())
    return make_error(ErrorCode::kInvalidArgument, "no such instance in this export");
  const store::StoredInstance& row = instances_[i];
  touched_.push_back(row.attributes.instance.sop_instance_uid);
  if (std::find(patients_.begin(), patients_.end(), row.patient_ref) == patients_.end())
    patients_.push_back(row.patient_ref);
  auto reader = ARCA_TRY(service_.deps_.blobs.open(row.blob));
  return std::unique_ptr<ByteSource>(std::make_unique<VerifiedSource>(std::move(reader), row));
}

Result<void> StudyExport::finish(const Result<void>& outcome) {
  if (finished_)
    return ok();
  finished_ = true;
  return service_.audit(ctx_, AuditAction::kExport, study_, touched_, outcome, patients_);
}

}  // namespace arca::service
