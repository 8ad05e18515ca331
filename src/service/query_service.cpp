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
  auto answer = ARCA_TRY(search(ctx, query, TotalCount::kSkip));
  return std::move(answer.rows);
}

Result<QueryAnswer> QueryService::search(const RequestContext& ctx, const Query& query,
                                         TotalCount total) {
  auto answer = [&]() -> Result<QueryAnswer> {
    ARCA_TRY(authorize(ctx, Permission::kStudyQuery));
    const auto& scope = ctx.principal.study_scope;
    Query scoped = query;
    if (scope) {
      // A scoped principal sees only its studies: no patient-level listing (it would reveal the
      // patients of other studies), and every other level is constrained to the scope's UIDs.
      if (query.level == QueryLevel::kPatient || scope->empty()) {
        QueryAnswer none;
        if (total == TotalCount::kCount)
          none.total = 0;
        return none;
      }
      Matcher only;
      only.attribute = QueryAttribute::kStudyUid;
      only.kind = MatchKind::kUidList;
      only.values.assign(scope->begin(), scope->end());
      scoped.matchers.push_back(std::move(only));
    }
    QueryAnswer out;
    out.rows = ARCA_TRY(deps_.index.query(ctx.principal.tenant, scoped));
    if (total == TotalCount::kCount)
      out.total = ARCA_TRY(deps_.index.count(ctx.principal.tenant, scoped));
    return out;
  }();
  audit::AuditEvent event = audit_event(ctx, AuditAction::kQuery, deps_.clock);
  set_outcome(event, answer.ok() ? nullptr : &answer.error());
  if (answer.ok()) {
    event.detail = std::string(level_name(query.level)) + " level, " +
                   std::to_string(answer->rows.size()) + " results";
    if (answer->total)
      event.detail += " of " + std::to_string(*answer->total);
  }
  ARCA_TRY(record_or_refuse(deps_.audit, event, deps_.logger));
  return answer;
}

}  // namespace arca::service
