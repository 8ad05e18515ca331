// Internal to store/sqlite: translation of a domain Query into one SELECT with bound
// parameters. Semantics are those of domain::matches() applied to the stored value:
//   person names compare upper-cased (ASCII, as domain does), wildcards are evaluated by the
//   domain rule itself (SQL function arca_wildcard) with the literal prefix as an index range,
//   ranges use `v >= low AND v < successor(high)` (equivalent to the domain's prefix compare),
//   numbers compare on their decimal text, ModalitiesInStudy single values match any series.
// Matchers must belong to the query level or above (kInvalidArgument otherwise).
// Default order: patient id, issuer, ref; study date desc, study time desc, study UID; series
// number (absent last), series UID; instance number (absent last), SOP Instance UID. With
// query.order: those terms, the study UID in the last term's direction, then series/instance.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/ids.h"
#include "domain/query.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

struct SqlQuery {
  std::string sql;
  std::vector<SqlValue> params;
};

// ASCII upper-casing, as domain::matches() folds person names; stored in *_upper columns.
std::string fold_person_name(std::string_view name);

// Selects columns_through(query.level) (sqlite_rows.h). At study level the page's ids are chosen
// first by a subquery that touches patients only when a matcher or sort key needs them, so an
// OFFSET skips index entries rather than joined rows (bench/worklist_bench.cpp).
Result<SqlQuery> build_query(const TenantId& tenant, const Query& query);
// SELECT COUNT(*) of the same rows, without order, limit or offset.
Result<SqlQuery> build_count(const TenantId& tenant, const Query& query);

}  // namespace arca::store::sqlite
