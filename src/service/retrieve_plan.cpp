// RetrieveService::plan and ::deliver: the use case behind C-MOVE, C-GET and `arca send`.
#include <algorithm>

#include "service/audit_trail.h"
#include "service/authorize.h"
#include "service/retrieve_service.h"

namespace arca::service {
namespace {

bool contains_series(const std::vector<SeriesUid>& series, const SeriesUid& uid) {
  return std::find(series.begin(), series.end(), uid) != series.end();
}

// The studies of one patient in the tenant: Patient ID matched exactly (no wildcards).
Result<std::vector<StudyUid>> patient_studies(store::IndexReader& index, const TenantId& tenant,
                                              const PatientId& patient) {
  Query query;
  query.level = QueryLevel::kStudy;
  query.matchers.push_back(
      {QueryAttribute::kPatientId, MatchKind::kSingleValue, {patient.str()}, {}, {}});
  auto rows = ARCA_TRY(index.query(tenant, query));
  std::vector<StudyUid> out;
  for (const QueryRow& row : rows)
    out.push_back(row.attributes.study.study_uid);
  return out;
}

// What the principal may read of `scope`: its tenant, and its study scope (studies outside it
// are skipped exactly like studies that do not exist).
Result<std::vector<store::StoredInstance>> collect(store::IndexReader& index,
                                                   const Principal& principal,
                                                   RetrieveScope scope) {
  const TenantId& tenant = principal.tenant;
  std::vector<store::StoredInstance> out;
  if (scope.level == RetrieveLevel::kPatient) {
    if (scope.patients.empty())
      return make_error(ErrorCode::kInvalidArgument, "a patient retrieve needs the Patient ID");
    scope.studies.clear();
    for (const PatientId& patient : scope.patients) {
      auto studies = ARCA_TRY(patient_studies(index, tenant, patient));
      scope.studies.insert(scope.studies.end(), studies.begin(), studies.end());
    }
  }
  if (scope.level == RetrieveLevel::kInstance) {
    for (const InstanceUid& uid : scope.instances) {
      auto found = ARCA_TRY(index.find_instance(tenant, uid));
      if (found && principal.sees_study(found->attributes.study.study_uid))
        out.push_back(std::move(*found));
    }
    return out;
  }
  if (scope.level == RetrieveLevel::kSeries && scope.studies.empty())
    return make_error(ErrorCode::kInvalidArgument, "a series retrieve needs the study UID");
  for (const StudyUid& study : scope.studies) {
    if (!principal.sees_study(study))
      continue;
    auto rows = ARCA_TRY(index.study_instances(tenant, study));
    for (auto& row : rows) {
      if (scope.level == RetrieveLevel::kStudy || scope.level == RetrieveLevel::kPatient ||
          contains_series(scope.series, row.attributes.series.series_uid))
        out.push_back(std::move(row));
    }
  }
  return out;
}

template <typename Uid, typename Of>
bool found(const std::vector<store::StoredInstance>& rows, const Uid& uid, Of of) {
  return std::any_of(rows.begin(), rows.end(),
                     [&](const store::StoredInstance& row) { return of(row) == uid; });
}

// The UIDs `scope` names that matched nothing the principal may read: unknown, or outside its
// tenant or study scope (the caller cannot tell which, and neither can the trail's reader).
RetrieveScope unmatched(const RetrieveScope& scope,
                        const std::vector<store::StoredInstance>& rows) {
  RetrieveScope out;
  out.level = scope.level;
  for (const InstanceUid& uid : scope.instances) {
    if (!found(rows, uid, [](const auto& r) { return r.attributes.instance.sop_instance_uid; }))
      out.instances.push_back(uid);
  }
  for (const SeriesUid& uid : scope.series) {
    if (!found(rows, uid, [](const auto& r) { return r.attributes.series.series_uid; }))
      out.series.push_back(uid);
  }
  if (scope.level != RetrieveLevel::kPatient) {
    for (const StudyUid& uid : scope.studies) {
      if (!found(rows, uid, [](const auto& r) { return r.attributes.study.study_uid; }))
        out.studies.push_back(uid);
    }
  }
  return out;
}

}  // namespace

Result<void> RetrieveService::record_unmatched(const RequestContext& ctx,
                                               const RetrieveScope& scope,
                                               const std::vector<store::StoredInstance>& rows) {
  RetrieveScope missing = unmatched(scope, rows);
  const bool patient_probe = scope.level == RetrieveLevel::kPatient && rows.empty();
  if (missing.instances.empty() && missing.series.empty() && missing.studies.empty() &&
      !patient_probe)
    return ok();
  audit::AuditEvent event = audit_event(ctx, AuditAction::kRetrieve, deps_.clock);
  event.studies = std::move(missing.studies);
  event.series = std::move(missing.series);
  event.instances = std::move(missing.instances);
  event.detail = patient_probe ? "no study of the requested patient"
                               : "requested UIDs that matched nothing readable";
  const Error not_found = make_error(ErrorCode::kNotFound, "");
  set_outcome(event, &not_found);
  return record_or_refuse(deps_.audit, event, deps_.logger);  // fail closed like any access
}

Result<RetrievePlan> RetrieveService::plan(const RequestContext& ctx, const RetrieveScope& scope) {
  auto planned = [&]() -> Result<std::vector<store::StoredInstance>> {
    ARCA_TRY(authorize(ctx, Permission::kImageRead));
    return collect(deps_.index, ctx.principal, scope);
  }();
  if (!planned.ok()) {
    StudyUid study = scope.studies.empty() ? StudyUid() : scope.studies.front();
    (void)audit(ctx, AuditAction::kRetrieve, study, scope.instances,
                planned.error());  // refused either way
    return std::move(planned).error();
  }
  ARCA_TRY(record_unmatched(ctx, scope, planned.value()));
  return RetrievePlan(std::move(planned).take(), scope.level);
}

ExportReport RetrieveService::deliver(
    const RequestContext& ctx, const RetrievePlan& plan,
    const std::function<Result<void>(const RetrieveItem&)>& visit) {
  ExportReport report;
  const auto& rows = plan.instances();
  // Fail closed: nothing leaves unless its transfer could be recorded first.
  if (auto begun = record_transfer_begin(ctx, rows); !begun.ok()) {
    for (const auto& row : rows)
      report.failures.push_back({row.attributes.instance.sop_instance_uid, begun.error()});
    return report;
  }
  audit::AuditEvent event = audit_event(ctx, AuditAction::kRetrieve, deps_.clock);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const store::StoredInstance& row = rows[i];
    const InstanceUid& uid = row.attributes.instance.sop_instance_uid;
    add_instance(event, row);
    auto done = [&]() -> Result<void> {
      auto reader = ARCA_TRY(deps_.blobs.open(row.blob));
      VerifiedSource source(std::move(reader), row);
      return visit(RetrieveItem{row, source, rows.size() - i - 1});
    }();
    if (done.ok()) {
      ++report.exported;
    } else {
      deps_.logger.info("retrieve of instance " + uid.str() +
                        " failed: " + done.error().to_string());
      report.failures.push_back({uid, std::move(done).error()});
    }
  }
  Error failed = make_error(ErrorCode::kIntegrity, "");
  if (!report.failures.empty()) {
    failed = report.failures.front().error;
    event.detail =
        std::to_string(report.failures.size()) + " of " + std::to_string(rows.size()) + " failed";
  }
  set_outcome(event, report.failures.empty() ? nullptr : &failed);
  // The instances have gone out by now (after a recorded transfer_begin); a failure here is
  // logged by record_or_refuse but cannot take them back.
  (void)record_or_refuse(deps_.audit, event, deps_.logger);
  return report;
}

Result<void> RetrieveService::record_transfer_begin(
    const RequestContext& ctx, const std::vector<store::StoredInstance>& rows) {
  audit::AuditEvent event = audit_event(ctx, AuditAction::kTransferBegin, deps_.clock);
  for (const auto& row : rows)
    add_instance(event, row);
  event.detail = std::to_string(rows.size()) + " instances";
  return record_or_refuse(deps_.audit, event, deps_.logger);
}

}  // namespace arca::service
