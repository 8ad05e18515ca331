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

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty())
    return out;
  while (true) {
    auto sep = text.find(kAuditListSeparator);
    out.emplace_back(text.substr(0, sep));
    if (sep == std::string_view::npos)
      return out;
    text = text.substr(sep + 1);
  }
}

AuditRecord read_record(const Statement& st) {
  AuditRecord r;
  r.seq = static_cast<std::uint64_t>(st.column_int(0));
  r.time_ms = st.column_int(1);
  r.actor = st.column_text(2);
  r.tenant = st.column_text(3);
  r.action = st.column_text(4);
  r.outcome = st.column_text(5);
  r.error_code = st.column_text(6);
  r.detail = st.column_text(7);
  r.patients = split(st.column_text(8));
  r.studies = split(st.column_text(9));
  r.series = split(st.column_text(10));
  r.instances = split(st.column_text(11));
  r.client_address = st.column_text(12);
  r.user_agent = st.column_text(13);
  r.request_id = st.column_text(14);
  r.prev_hash = st.column_text(15);
  r.hash = st.column_text(16);
  return r;
}

}  // namespace

Result<std::vector<AuditRecord>> collect_audit_records(Statement& st) {
  std::vector<AuditRecord> out;
  while (ARCA_TRY(st.step()))
    out.push_back(read_record(st));
  return out;
}

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
