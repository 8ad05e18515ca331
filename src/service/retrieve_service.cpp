#include "service/retrieve_service.h"

#include <algorithm>

#include "crypto/hash.h"
#include "service/audit_trail.h"
#include "service/audited_transfer.h"
#include "service/authorize.h"

namespace arca::service {

struct VerifiedSource::State {
  std::unique_ptr<store::BlobReader> reader;
  std::uint64_t expected_size;
  std::string expected_sha256;
  bool hashing = true;  // false: an authenticated reader, its size checked at the first read
  crypto::Sha256 hash;
  std::uint64_t pos = 0;
  bool verified = false;
};

VerifiedSource::VerifiedSource(std::unique_ptr<store::BlobReader> reader,
                               const store::StoredInstance& record, Verify verify)
    : state_(std::make_unique<State>()) {
  // Rows stored since docs/adr/0021 carry no digest: their size is checked, their bytes are
  // GCM's to authenticate (a plain store, benchmark-only, has nothing more to check).
  state_->hashing =
      !record.sha256.empty() && (verify == Verify::kDigest || !reader->authenticated());
  state_->reader = std::move(reader);
  state_->expected_size = record.size;
  state_->expected_sha256 = record.sha256;
}

VerifiedSource::~VerifiedSource() = default;

Result<std::size_t> VerifiedSource::read(MutableByteView out) {
  State& s = *state_;
  if (!s.hashing && !s.verified) {
    if (s.reader->size() != s.expected_size)
      return make_error(ErrorCode::kIntegrity, "stored object does not match its index size");
    s.verified = true;
  }
  std::size_t n = ARCA_TRY(s.reader->read_at(s.pos, out));
  if (n > 0) {
    if (s.hashing)
      s.hash.update(ByteView(out.data(), n));
    s.pos += n;
    return n;
  }
  if (!s.verified) {
    if (s.pos != s.expected_size || (s.hashing && to_hex(s.hash.finish()) != s.expected_sha256)) {
      return make_error(ErrorCode::kIntegrity, "stored object does not match its index digest");
    }
    s.verified = true;
  }
  return std::size_t{0};
}

Result<OpenedInstance> RetrieveService::open_instance(const RequestContext& ctx,
                                                      const InstanceUid& uid) {
  return open_audited(ctx, uid, [&]() -> Result<store::StoredInstance> {
    ARCA_TRY(authorize(ctx, Permission::kImageRead));
    auto record = ARCA_TRY(deps_.index.find_instance(ctx.principal.tenant, uid));
    if (!record || !ctx.principal.sees_study(record->attributes.study.study_uid))
      return make_error(ErrorCode::kNotFound, "no such instance");
    return std::move(*record);
  });
}

Result<OpenedInstance> RetrieveService::open_planned(const RequestContext& ctx,
                                                     const RetrievePlan& plan, std::size_t i) {
  if (i >= plan.instances().size())
    return make_error(ErrorCode::kInvalidArgument, "no such planned instance");
  const store::StoredInstance& row = plan.instances()[i];
  return open_audited(ctx, row.attributes.instance.sop_instance_uid,
                      [&]() -> Result<store::StoredInstance> {
                        ARCA_TRY(authorize(ctx, Permission::kImageRead));
                        if (row.tenant != ctx.principal.tenant ||
                            !ctx.principal.sees_study(row.attributes.study.study_uid))
                          return make_error(ErrorCode::kNotFound, "no such instance");
                        return row;
                      });
}

// Opens the blob of the record find_authorized returns and records one kRetrieve event, failed
// if anything failed; a successful open that cannot be recorded is refused (fail closed).
Result<OpenedInstance> RetrieveService::open_audited(
    const RequestContext& ctx, const InstanceUid& uid,
    const std::function<Result<store::StoredInstance>()>& find_authorized) {
  auto opened = [&]() -> Result<OpenedInstance> {
    store::StoredInstance record = ARCA_TRY(find_authorized());
    auto reader = ARCA_TRY(deps_.blobs.open(record.blob));
    return OpenedInstance{std::move(record), std::move(reader)};
  }();
  StudyUid study = opened.ok() ? opened->record.attributes.study.study_uid : StudyUid();
  std::vector<PatientRef> patients;
  if (opened.ok())
    patients.push_back(opened->record.patient_ref);
  auto audited = audit(ctx, AuditAction::kRetrieve, study, {uid},
                       opened.ok() ? Result<void>() : Result<void>(opened.error()), patients);
  if (!audited.ok() && opened.ok())
    return std::move(audited).error();  // fail closed: no byte leaves unaudited
  return opened;
}

Result<OpenedInstance> RetrieveService::open_for_document(const RequestContext& ctx,
                                                          const StudyUid& study) {
  ARCA_TRY(authorize_study(ctx, Permission::kDocumentWrite, study));
  auto rows = ARCA_TRY(deps_.index.study_instances(ctx.principal.tenant, study));
  if (rows.empty())
    return make_error(ErrorCode::kNotFound, "no such study");
  auto reader = ARCA_TRY(deps_.blobs.open(rows.front().blob));
  return OpenedInstance{std::move(rows.front()), std::move(reader)};
}

Result<Bytes> RetrieveService::read_range(const RequestContext& ctx, const InstanceUid& uid,
                                          std::uint64_t offset, std::size_t length) {
  auto opened = ARCA_TRY(open_instance(ctx, uid));
  std::uint64_t size = opened.reader->size();
  if (offset >= size)
    return Bytes{};
  Bytes out(static_cast<std::size_t>(std::min<std::uint64_t>(length, size - offset)));
  std::size_t n = ARCA_TRY(opened.reader->read_at(offset, out));
  out.resize(n);
  return out;
}

Result<std::vector<store::StoredInstance>> RetrieveService::authorize_export(
    const RequestContext& ctx, const StudyUid& study) {
  auto authorized = [&]() -> Result<std::vector<store::StoredInstance>> {
    ARCA_TRY(authorize_study(ctx, Permission::kImageRead, study));
    ARCA_TRY(authorize(ctx, Permission::kStudyExport));
    auto rows = ARCA_TRY(deps_.index.study_instances(ctx.principal.tenant, study));
    if (rows.empty())
      return make_error(ErrorCode::kNotFound, "no such study");
    return rows;
  }();
  if (!authorized.ok()) {
    (void)audit(ctx, AuditAction::kExport, study, {}, authorized.error());  // refused either way
    return std::move(authorized).error();
  }
  ARCA_TRY(record_transfer_begin(ctx, authorized.value()));  // fail closed: before any byte
  return authorized;
}

Result<ExportReport> RetrieveService::export_study(
    const RequestContext& ctx, const StudyUid& study,
    const std::function<Result<void>(const store::StoredInstance&, ByteSource&)>& visit) {
  auto exporting = ARCA_TRY(open_export(ctx, study));
  ExportReport report;
  for (std::size_t i = 0; i < exporting->instances().size(); ++i) {
    const auto& row = exporting->instances()[i];
    auto done = [&]() -> Result<void> {
      auto source = ARCA_TRY(exporting->open_verified(i));
      return visit(row, *source);
    }();
    if (done.ok()) {
      ++report.exported;
    } else {
      const InstanceUid& uid = row.attributes.instance.sop_instance_uid;
      deps_.logger.error("export of instance " + uid.str() +
                         " failed: " + done.error().to_string());
      report.failures.push_back({uid, std::move(done).error()});
    }
  }
  ARCA_TRY(exporting->finish(
      report.failures.empty()
          ? Result<void>()
          : Result<void>(make_error(ErrorCode::kIntegrity,
                                    std::to_string(report.failures.size()) + " failed"))));
  return report;
}

Result<void> RetrieveService::audit(const RequestContext& ctx, AuditAction action,
                                    const StudyUid& study,
                                    const std::vector<InstanceUid>& instances,
                                    const Result<void>& outcome,
                                    const std::vector<PatientRef>& patients) {
  audit::AuditEvent event = audit_event(ctx, action, deps_.clock);
  if (!study.empty())
    event.studies.push_back(study);
  event.instances = instances;
  event.patients = patients;
  set_outcome(event, outcome.ok() ? nullptr : &outcome.error());
  return record_or_refuse(deps_.audit, event, deps_.logger);
}

}  // namespace arca::service
