#include "store/sqlite/sqlite_audit_rows.h"

#include "store/sqlite/sqlite_audit_filters.h"

namespace arca::store::sqlite {
namespace {

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty())
      out += kAuditListSeparator;
    out += v;
  }
  return out;
}

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

}  // namespace

Result<AuditHead> audit_head(Connection& conn) {
  auto st = ARCA_TRY(conn.cached("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1"));
  AuditHead h;
  if (ARCA_TRY(st.step())) {
    h.seq = static_cast<std::uint64_t>(st.column_int(0));
    h.hash = st.column_text(1);
  }
  st.reset();
  return h;
}

Result<void> insert_audit_records(Connection& conn, const std::vector<AuditRecord>& records) {
  if (records.empty())
    return ok();
  AuditHead h = ARCA_TRY(audit_head(conn));
  if (records.front().seq != h.seq + 1)
    return make_error(ErrorCode::kConflict, "audit records do not continue the log's head");
  auto st = ARCA_TRY(conn.cached(
      "INSERT INTO audit_records (seq, time_ms, actor, tenant, action, outcome, error_code, "
      "detail, patients, studies, series, instances, client_address, user_agent, request_id, "
      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::uint64_t expected = h.seq + 1;
  for (const AuditRecord& r : records) {
    if (r.seq != expected++)
      return make_error(ErrorCode::kConflict, "audit records are not consecutive");
    st.bind(1, as_int(r.seq))
        .bind(2, r.time_ms)
        .bind(3, r.actor)
        .bind(4, r.tenant)
        .bind(5, r.action)
        .bind(6, r.outcome)
        .bind(7, r.error_code)
        .bind(8, r.detail)
        .bind(9, join(r.patients))
        .bind(10, join(r.studies))
        .bind(11, join(r.series))
        .bind(12, join(r.instances))
        .bind(13, r.client_address)
        .bind(14, r.user_agent)
        .bind(15, r.request_id)
        .bind(16, r.prev_hash)
        .bind(17, r.hash);
    ARCA_TRY(st.run());
    st.reset();
  }
  // Search filters (sqlite_audit_filters.h): only an append that fills a segment builds one.
  if (fills_a_segment(records.front().seq, records.back().seq))
    ARCA_TRY(build_full_segments(conn));
  return ok();
}

}  // namespace arca::store::sqlite
