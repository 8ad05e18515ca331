#include "service/query_service.h"

#include "service/authorize.h"

namespace arca::service {

namespace {

std::string_view level_name(QueryLevel level) {
  switch (level) {
    case QueryLevel::kPatient:
      return "patient";
    case QueryLevel::kStudy:
      return "study";
    case QueryLevel::kSeries:
      return "series";
    case QueryLevel::kInstance:
      break;
  }
  return "instance";
}

}  // namespace

Result<std::vector<QueryRow>> QueryService::query(const RequestContext& ctx, const Query& query) {
  auto rows = [&]() -> Result<std::vector<QueryRow>> {
    ARCA_TRY(authorize(ctx, Permission::kStudyQuery));
    return deps_.index.query(ctx.principal.tenant, query);
  }();
  audit::AuditEvent event;
  event.time = deps_.clock.now();
  event.actor = ctx.principal.id;
  event.tenant = ctx.principal.tenant;
  event.action = AuditAction::kQuery;
  event.client_address = ctx.client_address;
  event.request_id = ctx.request_id;
  if (rows.ok()) {
    event.outcome = audit::Outcome::kSuccess;
    event.detail = std::string(level_name(query.level)) + " level, " +
                   std::to_string(rows->size()) + " results";
  } else {
    event.outcome = audit::Outcome::kFailure;
    event.error_code = std::string(error_code_name(rows.error().code));
  }
  auto recorded = deps_.audit.record(event);
  if (!recorded.ok()) {
    deps_.logger.error("audit record failed: " + recorded.error().to_string());
    return make_error(ErrorCode::kUnavailable, "audit trail unavailable");
  }
  return rows;
}

}  // namespace arca::service
