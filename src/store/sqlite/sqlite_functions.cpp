#include "store/sqlite/sqlite_functions.h"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "domain/query.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {
namespace {

std::string_view text_arg(sqlite3_value* v) {
  const auto* p = sqlite3_value_text(v);
  if (p == nullptr)
    return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_value_bytes(v))};
}

void delete_matcher(void* p) {
  std::unique_ptr<Matcher> owned(static_cast<Matcher*>(p));
}

// The pattern is constant for a statement, so its Matcher is built once and kept as
// auxiliary data on argument 0.
void wildcard(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (const auto* m = static_cast<const Matcher*>(sqlite3_get_auxdata(ctx, 0))) {
    sqlite3_result_int(ctx, matches(*m, text_arg(argv[1])) ? 1 : 0);
    return;
  }
  auto owned = std::make_unique<Matcher>();
  owned->attribute = QueryAttribute::kStudyDescription;  // any case-sensitive attribute
  owned->kind = MatchKind::kWildcard;
  owned->values = {std::string(text_arg(argv[0]))};
  sqlite3_result_int(ctx, matches(*owned, text_arg(argv[1])) ? 1 : 0);
  // On failure SQLite runs the destructor at once; the result is already set.
  sqlite3_set_auxdata(ctx, 0, owned.release(), delete_matcher);
}

}  // namespace

Result<void> register_functions(sqlite3* db) {
  int rc = sqlite3_create_function_v2(db, "arca_wildcard", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      nullptr, wildcard, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return Connection::error(rc, "registering SQL functions");
  return ok();
}

}  // namespace arca::store::sqlite
