#include "store/sqlite/sqlite_audit_rows.h"

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

// The keys every record implies, as (key, seq) rows named `keys`: each PatientRef and Study UID
// of its backslash-separated lists, and its actor. The SQL twin of insert_keys below.
constexpr std::string_view kKeysOfRecords = R"sql(
WITH RECURSIVE
lists(seq, prefix, rest) AS (
  SELECT seq, 'p:', patients || '\' FROM audit_records WHERE patients <> ''
  UNION ALL SELECT seq, 's:', studies || '\' FROM audit_records WHERE studies <> ''
),
items(seq, prefix, item, rest) AS (
  SELECT seq, prefix, substr(rest, 1, instr(rest, '\') - 1), substr(rest, instr(rest, '\') + 1)
  FROM lists
  UNION ALL
  SELECT seq, prefix, substr(rest, 1, instr(rest, '\') - 1), substr(rest, instr(rest, '\') + 1)
  FROM items WHERE rest <> ''
),
keys(key, seq) AS (
  SELECT prefix || item, seq FROM items WHERE item <> ''
  UNION ALL SELECT 'a:' || actor, seq FROM audit_records WHERE actor <> ''
)
)sql";

Result<void> insert_keys(Statement& st, const AuditRecord& r) {
  auto put = [&](const std::string& key) -> Result<void> {
    ARCA_TRY(st.bind(1, key).bind(2, as_int(r.seq)).run());
    st.reset();
    return ok();
  };
  for (const auto& p : r.patients)
    ARCA_TRY(put(audit_key_text(AuditKey{AuditKeyKind::kPatient, p})));
  for (const auto& s : r.studies)
    ARCA_TRY(put(audit_key_text(AuditKey{AuditKeyKind::kStudy, s})));
  if (!r.actor.empty())
    ARCA_TRY(put(audit_key_text(AuditKey{AuditKeyKind::kActor, r.actor})));
  return ok();
}

}  // namespace

std::string audit_key_text(const AuditKey& key) {
  switch (key.kind) {
    case AuditKeyKind::kPatient:
      return "p:" + key.value;
    case AuditKeyKind::kStudy:
      return "s:" + key.value;
    case AuditKeyKind::kActor:
      return "a:" + key.value;
  }
  return {};
}

Result<void> backfill_audit_keys(Connection& conn) {
  return conn.exec(std::string(kKeysOfRecords) +
                   "INSERT OR IGNORE INTO audit_keys (key, seq) SELECT key, seq FROM keys");
}

Result<std::optional<std::uint64_t>> first_unkeyed_audit_record(Connection& conn) {
  auto st = ARCA_TRY(conn.prepare(std::string(kKeysOfRecords) +
                                  "SELECT min(seq) FROM keys WHERE NOT EXISTS (SELECT 1 FROM "
                                  "audit_keys k WHERE k.key = keys.key AND k.seq = keys.seq)"));
  std::optional<std::uint64_t> out;
  if (ARCA_TRY(st.step())) {
    if (auto seq = st.column_opt_int(0))
      out = static_cast<std::uint64_t>(*seq);
  }
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
  auto keys = ARCA_TRY(conn.cached("INSERT OR IGNORE INTO audit_keys (key, seq) VALUES (?, ?)"));
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
    ARCA_TRY(insert_keys(keys, r));
  }
  return ok();
}

}  // namespace arca::store::sqlite
