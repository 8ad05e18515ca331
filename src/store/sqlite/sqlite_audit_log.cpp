#include "store/sqlite/sqlite_audit_log.h"

#include <array>

#include "core/file.h"
#include "store/sqlite/sqlite_audit_filters.h"
#include "store/sqlite/sqlite_audit_move.h"
#include "store/sqlite/sqlite_audit_rows.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca::store {

using sqlite::Connection;

namespace {

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
SqliteAuditLog::~SqliteAuditLog() = default;

Result<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::open(
    const std::filesystem::path& audit_file, SecretBytes key) {
  sqlite::ConnectionOptions o;
  o.file = audit_file;
  o.application_id = sqlite::kAuditApplicationId;
  o.what = "audit log";
  // Enough pages (1 KiB each) for a whole batch of the journal's flusher (1,024 records, ~500
  // leaf pages) and the search filter's read-back of a full segment: with 512 KiB the filter
  // read its 1,024 records back from the WAL, decrypting them again (arca_audit_bench
  // BM_RecordJournaled CPU per record −8 %).
  o.cache_kib = 2048;
  // Small pages: a record's commit encrypts and writes whole pages, and a record is ~400 bytes
  // (an audit record cost 37 µs with 4 KiB pages, 30 µs with 1 KiB: arca_audit_bench).
  o.page_size = 1024;
  auto conn = ARCA_TRY(Connection::open(o, key));
  ARCA_TRY(sqlite::migrate(*conn, sqlite::audit_migrations(), sqlite::kAuditApplicationId));
  ARCA_TRY(sync_directory(audit_file.has_parent_path() ? audit_file.parent_path() : "."));
  return std::make_unique<SqliteAuditLog>(std::move(conn));
}

Result<std::uint64_t> SqliteAuditLog::adopt_index_records(const std::filesystem::path& index_file,
                                                          const SecretBytes& index_key) {
  std::lock_guard lock(mu_);
  ARCA_TRY(relax(false));
  auto index = ARCA_TRY(sqlite::open_index_side_connection(index_file, index_key, 512));
  auto moved = ARCA_TRY(sqlite::move_index_audit(*index, *conn_));
  return moved.records;
}

Result<std::vector<AuditRecord>> SqliteAuditLog::read(std::uint64_t from, std::size_t limit) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached(std::string(sqlite::kAuditSelect) + "WHERE seq >= ? ORDER BY seq LIMIT ?"));
  st.bind(1, as_int(from)).bind(2, as_int(limit));
  return sqlite::collect_audit_records(st);
}

Result<std::optional<std::uint64_t>> SqliteAuditLog::first_unkeyed_record() {
  std::lock_guard lock(mu_);
  return sqlite::first_unkeyed_audit_record(*conn_);
}

Result<AuditHead> SqliteAuditLog::head() {
  std::lock_guard lock(mu_);
  return head_locked();
}

Result<AuditHead> SqliteAuditLog::head_locked() {
  return sqlite::audit_head(*conn_);
}

Result<std::vector<AuditCheckpoint>> SqliteAuditLog::checkpoints() {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(
      conn_->cached("SELECT seq, head_hash, time_ms, mac FROM audit_checkpoints ORDER BY seq"));
  std::vector<AuditCheckpoint> out;
  while (ARCA_TRY(st.step())) {
    out.push_back(AuditCheckpoint{static_cast<std::uint64_t>(st.column_int(0)), st.column_text(1),
                                  st.column_int(2), st.column_text(3)});
  }
  return out;
}

Result<void> SqliteAuditLog::relax(bool relaxed) {
  if (relaxed_ == relaxed)
    return ok();
  auto st = ARCA_TRY(
      conn_->cached(relaxed ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL"));
  ARCA_TRY(st.run());
  relaxed_ = relaxed;
  return ok();
}

Result<void> SqliteAuditLog::append(const std::vector<AuditRecord>& records) {
  if (records.empty())
    return ok();
  std::lock_guard lock(mu_);
  ARCA_TRY(relax(false));
  return sqlite::in_transaction(
      *conn_, [&]() -> Result<void> { return sqlite::insert_audit_records(*conn_, records); });
}

Result<void> SqliteAuditLog::append_unsynced(const std::vector<AuditRecord>& records) {
  if (records.empty())
    return ok();
  std::lock_guard lock(mu_);
  ARCA_TRY(relax(true));
  return sqlite::in_transaction(
      *conn_, [&]() -> Result<void> { return sqlite::insert_audit_records(*conn_, records); });
}

Result<void> SqliteAuditLog::sync() {
  std::lock_guard lock(mu_);
  return conn_->sync_journal();
}

Result<void> SqliteAuditLog::append_checkpoint(const AuditCheckpoint& c) {
  std::lock_guard lock(mu_);
  ARCA_TRY(relax(false));
  auto st =
      ARCA_TRY(conn_->cached("INSERT INTO audit_checkpoints (seq, head_hash, time_ms, mac) "
                             "VALUES (?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING"));
  st.bind(1, as_int(c.seq)).bind(2, c.head_hash).bind(3, c.time_ms).bind(4, c.mac);
  ARCA_TRY(st.run());
  if (conn_->changes() == 0)
    return make_error(ErrorCode::kAlreadyExists, "a checkpoint at this seq exists");
  return ok();
}

Result<std::uint64_t> SqliteAuditLog::prune_through(std::uint64_t seq) {
  std::lock_guard lock(mu_);
  ARCA_TRY(relax(false));
  std::uint64_t removed = 0;
  ARCA_TRY(sqlite::in_transaction(*conn_, [&]() -> Result<void> {
    AuditHead h = ARCA_TRY(head_locked());
    auto anchor = ARCA_TRY(conn_->cached("SELECT count(*) FROM audit_checkpoints WHERE seq = ?"));
    anchor.bind(1, as_int(seq));
    bool anchored = ARCA_TRY(anchor.step()) && anchor.column_int(0) == 1;
    anchor.reset();
    if (!anchored || seq >= h.seq) {
      return make_error(ErrorCode::kInvalidArgument,
                        "audit records are pruned only up to a signed checkpoint below the head");
    }
    // The append-only trigger (audit migration 1) is lifted for this transaction only.
    ARCA_TRY(conn_->exec("DROP TRIGGER audit_records_append_only_delete"));
    auto del = ARCA_TRY(conn_->prepare("DELETE FROM audit_records WHERE seq <= ?"));
    ARCA_TRY(del.bind(1, as_int(seq)).run());
    removed = static_cast<std::uint64_t>(conn_->changes());
    // Filters of segments with no record left go too; a partly pruned one stays (it may still
    // lead to its remaining records).
    auto filters = ARCA_TRY(conn_->prepare("DELETE FROM audit_filters WHERE first_seq + ? <= ?"));
    ARCA_TRY(filters.bind(1, as_int(sqlite::kAuditSegment - 1)).bind(2, as_int(seq)).run());
    auto cps = ARCA_TRY(conn_->prepare("DELETE FROM audit_checkpoints WHERE seq < ?"));
    ARCA_TRY(cps.bind(1, as_int(seq)).run());
    return conn_->exec(
        "CREATE TRIGGER audit_records_append_only_delete BEFORE DELETE ON audit_records\n"
        "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;");
  }));
  return removed;
}

}  // namespace arca::store
