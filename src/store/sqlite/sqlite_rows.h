// Internal to store/sqlite: the column lists every read selects and the readers that turn a
// result row back into domain structs, kept together so their order cannot drift apart.
// Aliases: p = patients, s = studies, se = series, i = instances.
#pragma once

#include <string>
#include <string_view>

#include "domain/query.h"
#include "store/index.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

// "p.patient_id, ..." for the levels from patient down to `level`.
std::string_view columns_through(QueryLevel level);

// FROM/JOIN clause reaching from `level` up to patients, e.g. "series se JOIN studies s ...".
std::string_view tables_from(QueryLevel level);

// Reads a row selected with columns_through(level), starting at column 0.
QueryRow read_query_row(const Statement& st, QueryLevel level);

// Reads a row selected with columns_through(QueryLevel::kInstance).
StoredInstance read_stored_instance(const Statement& st);

// "SELECT <all levels>, <StoredInstance fields> FROM instances i JOIN ... "; append a WHERE.
const std::string& select_instance_sql();

}  // namespace arca::store::sqlite
