// Internal to store/sqlite: SQL functions Arca registers on each connection.
//   arca_wildcard(pattern, value): 1 if value matches the DICOM wildcard pattern (* and ?)
//   exactly as domain::matches() does, else 0. Calling the domain rule itself keeps SQL and
//   the reference semantics identical (no LIKE/GLOB metacharacter or collation surprises).
#pragma once

#include "core/result.h"

struct sqlite3;

namespace arca::store::sqlite {

Result<void> register_functions(sqlite3* db);

}  // namespace arca::store::sqlite
