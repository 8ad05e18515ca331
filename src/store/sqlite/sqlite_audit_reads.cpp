// SqliteAuditLog's searches (store/audit_log.h): by time range and by key. There is no index on
// time (a record's commit then touches one B-tree, not two: audit migration 3); the segments'
// search filters (sqlite_audit_filters.h) carry each segment's time span, which narrows a time
// range to a seq range: the full segments whose span overlaps it, then the unfiltered tail.
#include <algorithm>
#include <array>

#include "store/sqlite/sqlite_audit_filters.h"
#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_audit_rows.h"

namespace arca::store {
namespace {

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

std::int64_t clamp(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : as_int(v);
}

// Moves the rows that name `key` into the page, its cursor advancing over every row read;
// true once the page holds `limit` records.
bool take_matching(std::vector<AuditRecord>& rows, const AuditKey& key, std::size_t limit,
                   AuditKeyedPage& page) {
  for (AuditRecord& r : rows) {
    page.cursor = r.seq;
    if (sqlite::record_has_key(r, key)) {
      page.records.push_back(std::move(r));
      if (page.records.size() == limit)
        return true;
    }
  }
  return false;
}

// Whether a full segment may hold records naming the key (its text) within the time range.
bool may_hold(const sqlite::SegmentFilter& seg, std::string_view key_text, std::int64_t from_ms,
              std::int64_t to_ms) {
  return seg.max_time_ms >= from_ms && seg.min_time_ms < to_ms && seg.filter.may_contain(key_text);
}

}  // namespace

Result<std::vector<AuditRecord>> SqliteAuditLog::read_time_range(std::int64_t from_ms,
                                                                 std::int64_t to_ms,
                                                                 std::uint64_t after,
                                                                 std::size_t limit) {
  std::lock_guard lock(mu_);
  const auto span = ARCA_TRY(sqlite::segment_span(*conn_, from_ms, to_ms));
  std::vector<AuditRecord> out;
  if (span.end > span.first) {
    out = ARCA_TRY(records_between(nullptr, std::max(span.first, after + 1), span.end, from_ms,
                                   to_ms, false, limit));
  }
  if (out.size() < limit) {
    auto tail = ARCA_TRY(records_between(nullptr, std::max(span.tail, after + 1), UINT64_MAX,
                                         from_ms, to_ms, false, limit - out.size()));
    out.insert(out.end(), std::make_move_iterator(tail.begin()),
               std::make_move_iterator(tail.end()));
  }
  return out;
}

Result<std::vector<AuditRecord>> SqliteAuditLog::read_time_range_newest_first(std::int64_t from_ms,
                                                                              std::int64_t to_ms,
                                                                              std::uint64_t before,
                                                                              std::size_t limit) {
  std::lock_guard lock(mu_);
  const std::uint64_t bound = before == 0 ? UINT64_MAX : before;
  const auto span = ARCA_TRY(sqlite::segment_span(*conn_, from_ms, to_ms));
  auto out = ARCA_TRY(records_between(nullptr, span.tail, bound, from_ms, to_ms, true, limit));
  if (out.size() < limit && span.end > span.first) {
    auto older = ARCA_TRY(records_between(nullptr, span.first, std::min(bound, span.end), from_ms,
                                          to_ms, true, limit - out.size()));
    out.insert(out.end(), std::make_move_iterator(older.begin()),
               std::make_move_iterator(older.end()));
  }
  return out;
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

// Records with first <= seq < end in the time range (that name `key`, if given), ascending or
// descending, at most `limit`. SQLite matches the key before a row is decoded (a list column is
// matched as \value\ inside \list\; callers check each record again). There is no index on
// time: the seq range is what narrows (segment_span gives it for a time range).
Result<std::vector<AuditRecord>> SqliteAuditLog::records_between(
    const AuditKey* key, std::uint64_t first, std::uint64_t end, std::int64_t from_ms,
    std::int64_t to_ms, bool descending, std::size_t limit) {
  static const auto kSql = [] {
    const std::string where = "WHERE seq >= ? AND seq < ? AND time_ms >= ? AND time_ms < ? ";
    auto in_list = [](const char* column) {
      return std::string("AND instr(char(92) || ") + column +
             " || char(92), char(92) || ? || char(92)) > 0 ";
    };
    const std::string keyed_by[] = {"", in_list("patients"), in_list("studies"), "AND actor = ? "};
    std::array<std::string, 8> sql;
    for (std::size_t k = 0; k < 4; ++k) {
      sql[2 * k] = std::string(sqlite::kAuditSelect) + where + keyed_by[k] + "ORDER BY seq LIMIT ?";
      sql[2 * k + 1] =
          std::string(sqlite::kAuditSelect) + where + keyed_by[k] + "ORDER BY seq DESC LIMIT ?";
    }
    return sql;
  }();
  const std::size_t kind = key == nullptr                        ? 0
                           : key->kind == AuditKeyKind::kPatient ? 1
                           : key->kind == AuditKeyKind::kStudy   ? 2
                                                                 : 3;
  if (first >= end || limit == 0)
    return std::vector<AuditRecord>{};
  auto st = ARCA_TRY(conn_->cached(kSql[2 * kind + (descending ? 1 : 0)]));
  st.bind(1, as_int(first)).bind(2, clamp(end)).bind(3, from_ms).bind(4, to_ms);
  int next = 5;
  if (key != nullptr)
    st.bind(next++, key->value);
  st.bind(next, limit > static_cast<std::size_t>(INT64_MAX) ? std::int64_t{-1} : as_int(limit));
  return sqlite::collect_audit_records(st);
}

Result<AuditKeyedPage> SqliteAuditLog::keyed_forward(const AuditKey& key, std::int64_t from_ms,
                                                     std::int64_t to_ms, std::uint64_t after,
                                                     std::size_t limit) {
  const std::string text = sqlite::audit_key_text(key);
  AuditKeyedPage page;
  page.cursor = after;
  // The full segments from the one holding after + 1, whose filters may hold the key.
  auto segments = ARCA_TRY(sqlite::read_segment_filters(
      *conn_, sqlite::audit_segment_start(after + 1), false, kSegmentsPerStep));
  for (const auto& seg : segments) {
    const std::uint64_t end = seg.first_seq + sqlite::kAuditSegment;
    if (may_hold(seg, text, from_ms, to_ms)) {
      auto rows = ARCA_TRY(records_between(&key, std::max(seg.first_seq, after + 1), end, from_ms,
                                           to_ms, false, SIZE_MAX));
      if (take_matching(rows, key, limit, page))
        return page;
    }
    page.cursor = std::max(page.cursor, end - 1);
  }
  if (segments.size() == kSegmentsPerStep)
    return page;  // more segments may follow: the next step
  // The records after the last full segment, which have no filter yet.
  const std::uint64_t tail = ARCA_TRY(sqlite::first_unfiltered_seq(*conn_));
  auto rows = ARCA_TRY(records_between(&key, std::max(page.cursor + 1, tail), UINT64_MAX, from_ms,
                                       to_ms, false, kTailStep));
  const bool more = rows.size() == kTailStep;
  if (take_matching(rows, key, limit, page))
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
  // First the records after the last full segment (the newest), which have no filter yet.
  const std::uint64_t tail = ARCA_TRY(sqlite::first_unfiltered_seq(*conn_));
  if (page.cursor > tail) {
    auto rows = ARCA_TRY(records_between(&key, tail, page.cursor, from_ms, to_ms, true, kTailStep));
    const bool more = rows.size() == kTailStep;
    if (take_matching(rows, key, limit, page) || more)
      return page;
    page.cursor = tail;
  }
  auto segments =
      ARCA_TRY(sqlite::read_segment_filters(*conn_, page.cursor, true, kSegmentsPerStep));
  for (const auto& seg : segments) {
    const std::uint64_t end = std::min(page.cursor, seg.first_seq + sqlite::kAuditSegment);
    if (may_hold(seg, text, from_ms, to_ms)) {
      auto rows =
          ARCA_TRY(records_between(&key, seg.first_seq, end, from_ms, to_ms, true, SIZE_MAX));
      if (take_matching(rows, key, limit, page))
        return page;
    }
    page.cursor = seg.first_seq;
  }
  page.end = segments.size() < kSegmentsPerStep;
  return page;
}

}  // namespace arca::store
