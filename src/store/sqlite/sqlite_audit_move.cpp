#include "store/sqlite/sqlite_audit_move.h"

#include <string>

#include "store/sqlite/sqlite_audit_filters.h"

namespace arca::store::sqlite {
namespace {

constexpr std::string_view kRecordColumns =
    "seq, time_ms, actor, tenant, action, outcome, error_code, detail, patients, studies, "
    "series, instances, client_address, user_agent, request_id, prev_hash, hash";
constexpr int kRecordColumnCount = 17;  // seq and time_ms are integers, the rest text

// What identifies a log's contents for the copy check.
struct Summary {
  std::int64_t records = 0;
  std::int64_t checkpoints = 0;
  std::string first;  // "seq:hash" of the oldest and newest record
  std::string last;
  std::string last_checkpoint;  // "seq:head_hash:mac"
  bool operator==(const Summary&) const = default;
  bool empty() const { return records == 0 && checkpoints == 0; }
};

Result<std::string> one_row(Connection& conn, std::string_view sql) {
  auto st = ARCA_TRY(conn.prepare(sql));
  if (!ARCA_TRY(st.step()))
    return std::string();
  return st.column_text(0);
}

Result<Summary> summarize(Connection& conn) {
  Summary s;
  s.records = ARCA_TRY(conn.query_int("SELECT count(*) FROM audit_records"));
  s.checkpoints = ARCA_TRY(conn.query_int("SELECT count(*) FROM audit_checkpoints"));
  s.first =
      ARCA_TRY(one_row(conn, "SELECT seq || ':' || hash FROM audit_records ORDER BY seq LIMIT 1"));
  s.last = ARCA_TRY(
      one_row(conn, "SELECT seq || ':' || hash FROM audit_records ORDER BY seq DESC LIMIT 1"));
  s.last_checkpoint = ARCA_TRY(one_row(conn,
                                       "SELECT seq || ':' || head_hash || ':' || mac FROM "
                                       "audit_checkpoints ORDER BY seq DESC LIMIT 1"));
  return s;
}

Result<bool> has_audit_tables(Connection& conn) {
  return ARCA_TRY(conn.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                 "name IN ('audit_records', 'audit_checkpoints')")) > 0;
}

Result<void> drop_audit_tables(Connection& index) {
  // Dropping a table drops its indexes and triggers with it.
  return in_transaction(index, [&]() -> Result<void> {
    return index.exec(
        "DROP TABLE IF EXISTS audit_records; DROP TABLE IF EXISTS audit_checkpoints;");
  });
}

}  // namespace

Result<AuditMove> copy_audit_tables(Connection& from, Connection& to) {
  AuditMove moved;
  auto read = ARCA_TRY(
      from.prepare("SELECT " + std::string(kRecordColumns) + " FROM audit_records ORDER BY seq"));
  auto insert =
      ARCA_TRY(to.prepare("INSERT INTO audit_records (" + std::string(kRecordColumns) +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  while (ARCA_TRY(read.step())) {
    for (int c = 0; c < kRecordColumnCount; ++c) {
      if (c < 2)
        insert.bind(c + 1, read.column_int(c));
      else
        insert.bind(c + 1, read.column_text(c));
    }
    ARCA_TRY(insert.run());
    insert.reset();
    ++moved.records;
  }
  auto cps = ARCA_TRY(
      from.prepare("SELECT seq, head_hash, time_ms, mac FROM audit_checkpoints ORDER BY seq"));
  auto put = ARCA_TRY(to.prepare(
      "INSERT INTO audit_checkpoints (seq, head_hash, time_ms, mac) VALUES (?, ?, ?, ?)"));
  while (ARCA_TRY(cps.step())) {
    put.bind(1, cps.column_int(0))
        .bind(2, cps.column_text(1))
        .bind(3, cps.column_int(2))
        .bind(4, cps.column_text(3));
    ARCA_TRY(put.run());
    put.reset();
    ++moved.checkpoints;
  }
  return moved;
}

Result<AuditMove> move_index_audit(Connection& index, Connection& audit) {
  AuditMove moved;
  if (!ARCA_TRY(has_audit_tables(index)))
    return moved;
  const Summary source = ARCA_TRY(summarize(index));
  if (!source.empty()) {
    ARCA_TRY(in_transaction(audit, [&]() -> Result<void> {
      const Summary target = ARCA_TRY(summarize(audit));
      if (target == source)
        return ok();  // copied by an earlier open that stopped before the drop
      if (!target.empty()) {
        return make_error(ErrorCode::kIntegrity,
                          "index.db and audit.db both hold audit records, and they differ; "
                          "nothing was moved");
      }
      moved = ARCA_TRY(copy_audit_tables(index, audit));
      ARCA_TRY(build_full_segments(audit));
      if (ARCA_TRY(summarize(audit)) != source) {
        return make_error(ErrorCode::kIntegrity,
                          "the audit records copied from index.db do not match; nothing was moved");
      }
      return ok();
    }));
  }
  ARCA_TRY(drop_audit_tables(index));
  moved.dropped = true;
  return moved;
}

}  // namespace arca::store::sqlite
