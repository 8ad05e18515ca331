// QueryService: searching the index (C-FIND, QIDO-RS, the web app's study list), DESIGN §1:
// authorize study.query -> Index::query in the principal's tenant -> audit kQuery with the
// number of results. Transports turn their request into a domain Query (domain/query.h) and
// serialize the rows; they never query the index themselves.
// Thread-safety: thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/request_context.h"
#include "store/index.h"

namespace arca::service {

struct QueryDeps {
  store::IndexReader& index;
  audit::AuditRecorder& audit;
  const Clock& clock;
  Logger& logger;
};

struct QueryAnswer {
  std::vector<QueryRow> rows;
  std::optional<std::uint64_t> total;  // with TotalCount::kCount: every matching row
};

class QueryService {
 public:
  explicit QueryService(QueryDeps deps) : deps_(deps) {}

  // Rows at query.level, only ever from ctx.principal.tenant. Errors: kPermissionDenied,
  // kInvalidArgument (a matcher the index cannot answer), index errors.
  Result<std::vector<QueryRow>> query(const RequestContext& ctx, const Query& query);
  // The same, and with kCount also how many rows match in all (one more index read, counted in
  // the same audit event).
  Result<QueryAnswer> search(const RequestContext& ctx, const Query& query, TotalCount total);

 private:
  QueryDeps deps_;
};

}  // namespace arca::service
