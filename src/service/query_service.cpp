#include "service/query_service.h"

#include "service/audit_trail.h"
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
    const auto& scope = ctx.principal.study_scope;
    if (!scope)
      return deps_.index.query(ctx.principal.tenant, query);
    // A scoped principal sees only its studies: no patient-level listing (it would reveal the
    // patients of other studies), and every other level is constrained to the scope's UIDs.
    if (query.level == QueryLevel::kPatient || scope->empty())
      return std::vector<QueryRow>{};
    Query scoped = query;
    Matcher only;
    only.attribute = QueryAttribute::kStudyUid;
    only.kind = MatchKind::kUidList;
    only.values.assign(scope->begin(), scope->end());
    scoped.matchers.push_back(std::move(only));
    return deps_.index.query(ctx.principal.tenant, scoped);
  }();
  audit::AuditEvent event = audit_event(ctx, AuditAction::kQuery, deps_.clock);
  set_outcome(event, rows.ok() ? nullptr : &rows.error());
  if (rows.ok()) {
    event.detail = std::string(level_name(query.level)) + " level, " +
                   std::to_string(rows->size()) + " results";
  }
  ARCA_TRY(record_or_refuse(deps_.audit, event, deps_.logger));
  return rows;
}

}  // namespace arca::service
