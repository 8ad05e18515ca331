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

constexpr std::string_view kSelect =
    "SELECT seq, time_ms, actor, tenant, action, outcome, error_code, detail, patients, studies, "
    "series, instances, client_address, user_agent, request_id, prev_hash, hash "
    "FROM audit_records ";

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty())
    return out;
  while (true) {
    auto sep = text.find(sqlite::kAuditListSeparator);
    out.emplace_back(text.substr(0, sep));
    if (sep == std::string_view::npos)
      return out;
    text = text.substr(sep + 1);
  }
}

AuditRecord read_record(const sqlite::Statement& st) {
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

Result<std::vector<AuditRecord>> collect(sqlite::Statement& st) {
  std::vector<AuditRecord> out;
  while (ARCA_TRY(st.step()))
    out.push_back(read_record(st));
  return out;
}

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
  o.cache_kib = 512;
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
  auto st = ARCA_TRY(conn_->cached(std::string(kSelect) + "WHERE seq >= ? ORDER BY seq LIMIT ?"));
  st.bind(1, as_int(from)).bind(2, as_int(limit));
  return collect(st);
}

Result<std::vector<AuditRecord>> SqliteAuditLog::read_time_range(std::int64_t from_ms,
                                                                 std::int64_t to_ms,
                                                                 std::uint64_t after,
                                                                 std::size_t limit) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kSelect) +
                                   "WHERE time_ms >= ? AND time_ms < ? AND seq > ? "
                                   "ORDER BY seq LIMIT ?"));
  st.bind(1, from_ms).bind(2, to_ms).bind(3, as_int(after)).bind(4, as_int(limit));
  return collect(st);
}

Result<std::vector<AuditRecord>> SqliteAuditLog::read_time_range_newest_first(std::int64_t from_ms,
                                                                              std::int64_t to_ms,
                                                                              std::uint64_t before,
                                                                              std::size_t limit) {
  std::lock_guard lock(mu_);
  auto st = ARCA_TRY(conn_->cached(std::string(kSelect) +
                                   "WHERE time_ms >= ? AND time_ms < ? AND seq < ? "
                                   "ORDER BY seq DESC LIMIT ?"));
  const std::int64_t bound = before == 0 ? INT64_MAX : as_int(before);
  st.bind(1, from_ms).bind(2, to_ms).bind(3, bound).bind(4, as_int(limit));
  return collect(st);
}

Result<AuditKeyedPage> SqliteAuditLog::read_by_key(const AuditKey& key, std::int64_t from_ms,
                                                   std::int64_t to_ms, std::uint64_t cursor,
                                                   bool newest_first, std::size_t limit) {
  std::lock_guard lock(mu_);
  if (limit == 0)
    return make_error(ErrorCode::kInvalidArgument, "limit must be positive");
  return newest_first ? keyed_backward(key, from_ms, to_ms, cursor, limit)
                      : keyed_forward(key, from_ms, to_ms, cursor, limit);
}

// Records with first <= seq < end in the time range that name `key`, ascending or descending.
// SQLite matches the key before a row is decoded (a list column is matched as \value\ inside
// \list\; the caller checks each record again). The time bounds are kept off the time index
// (+time_ms): the seq range is what narrows.
Result<std::vector<AuditRecord>> SqliteAuditLog::records_between(
    const AuditKey& key, std::uint64_t first, std::uint64_t end, std::int64_t from_ms,
    std::int64_t to_ms, bool descending, std::size_t limit) {
  static const auto kSql = [] {
    const std::string where = "WHERE seq >= ? AND seq < ? AND +time_ms >= ? AND +time_ms < ? ";
    auto in_list = [](const char* column) {
      return std::string("AND instr(char(92) || ") + column +
             " || char(92), char(92) || ? || char(92)) > 0 ";
    };
    const std::string keyed[] = {in_list("patients"), in_list("studies"), "AND actor = ? "};
    std::array<std::string, 6> sql;
    for (int k = 0; k < 3; ++k) {
      sql[2 * k] = std::string(kSelect) + where + keyed[k] + "ORDER BY seq LIMIT ?";
      sql[2 * k + 1] = std::string(kSelect) + where + keyed[k] + "ORDER BY seq DESC LIMIT ?";
    }
    return sql;
  }();
  const int kind = key.kind == AuditKeyKind::kPatient ? 0
                   : key.kind == AuditKeyKind::kStudy ? 1
                                                      : 2;
  auto st =
      ARCA_TRY(conn_->cached(kSql[static_cast<std::size_t>(2 * kind + (descending ? 1 : 0))]));
  st.bind(1, as_int(first))
      .bind(2, end > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : as_int(end))
      .bind(3, from_ms)
      .bind(4, to_ms)
      .bind(5, key.value)
      .bind(6, as_int(limit));
  return collect(st);
}

Result<AuditKeyedPage> SqliteAuditLog::keyed_forward(const AuditKey& key, std::int64_t from_ms,
                                                     std::int64_t to_ms, std::uint64_t after,
                                                     std::size_t limit) {
  const std::string text = sqlite::audit_key_text(key);
  AuditKeyedPage page;
  page.cursor = after;
  auto take = [&](std::vector<AuditRecord>& rows) {  // true once the page is full
    for (AuditRecord& r : rows) {
      page.cursor = r.seq;
      if (sqlite::record_has_key(r, key)) {
        page.records.push_back(std::move(r));
        if (page.records.size() == limit)
          return true;
      }
    }
    return false;
  };
  // The full segments from the one holding after + 1, whose filters may hold the key.
  auto segments = ARCA_TRY(sqlite::read_segment_filters(
      *conn_, sqlite::audit_segment_start(after + 1), false, kSegmentsPerStep));
  for (const auto& seg : segments) {
    const std::uint64_t end = seg.first_seq + sqlite::kAuditSegment;
    if (seg.max_time_ms >= from_ms && seg.min_time_ms < to_ms && seg.filter.may_contain(text)) {
      auto rows = ARCA_TRY(records_between(key, std::max(seg.first_seq, after + 1), end, from_ms,
                                           to_ms, false, SIZE_MAX));
      if (take(rows))
        return page;
    }
    page.cursor = std::max(page.cursor, end - 1);
  }
  if (segments.size() == kSegmentsPerStep)
    return page;  // more segments may follow: the next step
  // The records after the last full segment, which have no filter yet.
  const std::uint64_t tail = ARCA_TRY(sqlite::first_unfiltered_seq(*conn_));
  auto rows = ARCA_TRY(records_between(key, std::max(page.cursor + 1, tail), UINT64_MAX, from_ms,
                                       to_ms, false, kTailStep));
  const bool more = rows.size() == kTailStep;
  if (take(rows))
    return page;
  page.end = !more;
  return page;
}

Result<AuditKeyedPage> SqliteAuditLog::keyed_backward(const AuditKey& key, std::int64_t from_ms,
                                                      std::int64_t to_ms, std::uint64_t before,
                                                      std::size_t limit) {
  const std::string text = sqlite::audit_key_text(key);
  AuditKeyedPage page;
  page.cursor = before == 0 ? UINT64_MAX : before;  // records with seq < cursor are left
  auto take = [&](std::vector<AuditRecord>& rows) {
    for (AuditRecord& r : rows) {
      page.cursor = r.seq;
      if (sqlite::record_has_key(r, key)) {
        page.records.push_back(std::move(r));
        if (page.records.size() == limit)
          return true;
      }
    }
    return false;
  };
  // First the records after the last full segment (the newest), which have no filter yet.
  const std::uint64_t tail = ARCA_TRY(sqlite::first_unfiltered_seq(*conn_));
  if (page.cursor > tail) {
    auto rows = ARCA_TRY(records_between(key, tail, page.cursor, from_ms, to_ms, true, kTailStep));
    const bool more = rows.size() == kTailStep;
    if (take(rows) || more)
      return page;
    page.cursor = tail;
  }
  auto segments =
      ARCA_TRY(sqlite::read_segment_filters(*conn_, page.cursor, true, kSegmentsPerStep));
  for (const auto& seg : segments) {
    const std::uint64_t end = std::min(page.cursor, seg.first_seq + sqlite::kAuditSegment);
    if (seg.max_time_ms >= from_ms && seg.min_time_ms < to_ms && seg.filter.may_contain(text)) {
      auto rows =
          ARCA_TRY(records_between(key, seg.first_seq, end, from_ms, to_ms, true, SIZE_MAX));
      if (take(rows))
        return page;
    }
    page.cursor = seg.first_seq;
  }
  page.end = segments.size() < kSegmentsPerStep;
  return page;
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
