#include "store/sqlite/sqlite_audit_filters.h"

#include <algorithm>

#include "store/sqlite/sqlite_audit_rows.h"

namespace arca::store::sqlite {
namespace {

constexpr std::size_t kBitsPerKey = 12;
constexpr int kProbes = 8;

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The probe positions of `key` in a filter of `bits` bits (double hashing).
template <typename Visit>
void probes(std::string_view key, std::size_t bits, Visit visit) {
  const std::uint64_t h = fnv1a(key);
  const std::uint64_t h1 = mix(h);
  const std::uint64_t h2 = mix(h ^ 0x5bd1e9955bd1e995ULL) | 1;
  for (int i = 0; i < kProbes; ++i)
    visit(static_cast<std::size_t>((h1 + static_cast<std::uint64_t>(i) * h2) % bits));
}

void add_list(std::vector<std::string>& keys, std::string_view prefix, std::string_view joined) {
  while (!joined.empty()) {
    auto sep = joined.find(kAuditListSeparator);
    std::string_view item = joined.substr(0, sep);
    if (!item.empty())
      keys.push_back(std::string(prefix) + std::string(item));
    if (sep == std::string_view::npos)
      break;
    joined = joined.substr(sep + 1);
  }
}

std::int64_t as_int(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

// The filter the records of segment `start` give (those present: a pruned segment has fewer).
Result<SegmentFilter> segment_filter_of(Connection& conn, std::uint64_t start) {
  auto st =
      ARCA_TRY(conn.cached("SELECT time_ms, actor, patients, studies FROM audit_records "
                           "WHERE seq >= ? AND seq < ? ORDER BY seq"));
  st.bind(1, as_int(start)).bind(2, as_int(start + kAuditSegment));
  std::vector<std::string> keys;
  SegmentFilter out;
  out.first_seq = start;
  out.min_time_ms = INT64_MAX;
  out.max_time_ms = INT64_MIN;
  while (ARCA_TRY(st.step())) {
    const std::int64_t t = st.column_int(0);
    out.min_time_ms = std::min(out.min_time_ms, t);
    out.max_time_ms = std::max(out.max_time_ms, t);
    const std::string actor = st.column_text(1);
    if (!actor.empty())
      keys.push_back("a:" + actor);
    add_list(keys, "p:", st.column_text(2));
    add_list(keys, "s:", st.column_text(3));
  }
  st.reset();
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  out.filter = KeyFilter::sized_for(keys.size());
  for (const auto& k : keys)
    out.filter.add(k);
  return out;
}

}  // namespace

KeyFilter KeyFilter::sized_for(std::size_t keys) {
  const std::size_t bits = std::max<std::size_t>(64, keys * kBitsPerKey);
  return KeyFilter(Bytes((bits + 7) / 8, 0));
}

void KeyFilter::add(std::string_view key) {
  probes(key, bits_.size() * 8, [&](std::size_t bit) {
    bits_[bit / 8] = static_cast<std::uint8_t>(bits_[bit / 8] | (1u << (bit % 8)));
  });
}

bool KeyFilter::may_contain(std::string_view key) const {
  if (bits_.empty())
    return true;  // nothing to go by
  bool all = true;
  probes(key, bits_.size() * 8,
         [&](std::size_t bit) { all = all && (bits_[bit / 8] & (1u << (bit % 8))) != 0; });
  return all;
}

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

bool record_has_key(const AuditRecord& record, const AuditKey& key) {
  auto in = [&](const std::vector<std::string>& values) {
    return std::find(values.begin(), values.end(), key.value) != values.end();
  };
  switch (key.kind) {
    case AuditKeyKind::kPatient:
      return in(record.patients);
    case AuditKeyKind::kStudy:
      return in(record.studies);
    case AuditKeyKind::kActor:
      return record.actor == key.value;
  }
  return false;
}

Result<void> build_full_segments(Connection& conn) {
  const std::int64_t head =
      ARCA_TRY(conn.query_int("SELECT coalesce(max(seq), 0) FROM audit_records"));
  const std::int64_t built =
      ARCA_TRY(conn.query_int("SELECT coalesce(max(first_seq), 0) FROM audit_filters"));
  std::uint64_t start = 0;
  if (built > 0) {
    start = static_cast<std::uint64_t>(built) + kAuditSegment;
  } else {
    const std::int64_t first =
        ARCA_TRY(conn.query_int("SELECT coalesce(min(seq), 0) FROM audit_records"));
    if (first == 0)
      return ok();
    start = audit_segment_start(static_cast<std::uint64_t>(first));
  }
  auto put =
      ARCA_TRY(conn.cached("INSERT INTO audit_filters (first_seq, min_time_ms, max_time_ms, bits) "
                           "VALUES (?, ?, ?, ?)"));
  for (; start + kAuditSegment - 1 <= static_cast<std::uint64_t>(head); start += kAuditSegment) {
    SegmentFilter f = ARCA_TRY(segment_filter_of(conn, start));
    put.bind(1, as_int(f.first_seq)).bind(2, f.min_time_ms).bind(3, f.max_time_ms);
    put.bind_blob(4, f.filter.bits());
    ARCA_TRY(put.run());
    put.reset();
  }
  return ok();
}

Result<std::vector<SegmentFilter>> read_segment_filters(Connection& conn, std::uint64_t from,
                                                        bool descending, std::size_t limit) {
  auto st = ARCA_TRY(
      descending ? conn.cached("SELECT first_seq, min_time_ms, max_time_ms, bits FROM "
                               "audit_filters WHERE first_seq < ? ORDER BY first_seq DESC LIMIT ?")
                 : conn.cached("SELECT first_seq, min_time_ms, max_time_ms, bits FROM "
                               "audit_filters WHERE first_seq >= ? ORDER BY first_seq LIMIT ?"));
  st.bind(1, as_int(from)).bind(2, as_int(limit));
  std::vector<SegmentFilter> out;
  while (ARCA_TRY(st.step())) {
    out.push_back(SegmentFilter{static_cast<std::uint64_t>(st.column_int(0)), st.column_int(1),
                                st.column_int(2), KeyFilter(st.column_blob(3))});
  }
  st.reset();
  return out;
}

Result<SegmentSpan> segment_span(Connection& conn, std::int64_t from_ms, std::int64_t to_ms) {
  SegmentSpan span;
  span.tail = ARCA_TRY(first_unfiltered_seq(conn));
  auto st =
      ARCA_TRY(conn.cached("SELECT min(first_seq), max(first_seq) FROM audit_filters "
                           "WHERE max_time_ms >= ? AND min_time_ms < ?"));
  st.bind(1, from_ms).bind(2, to_ms);
  if (ARCA_TRY(st.step())) {
    auto first = st.column_opt_int(0);
    auto last = st.column_opt_int(1);
    if (first && last) {
      span.first = static_cast<std::uint64_t>(*first);
      span.end = static_cast<std::uint64_t>(*last) + kAuditSegment;
    }
  }
  st.reset();
  return span;
}

Result<std::uint64_t> first_unfiltered_seq(Connection& conn) {
  const std::int64_t built =
      ARCA_TRY(conn.query_int("SELECT coalesce(max(first_seq), 0) FROM audit_filters"));
  return built == 0 ? 1 : static_cast<std::uint64_t>(built) + kAuditSegment;
}

Result<std::optional<std::uint64_t>> first_unkeyed_audit_record(Connection& conn) {
  const std::int64_t first =
      ARCA_TRY(conn.query_int("SELECT coalesce(min(seq), 0) FROM audit_records"));
  const std::int64_t head =
      ARCA_TRY(conn.query_int("SELECT coalesce(max(seq), 0) FROM audit_records"));
  if (first == 0)
    return std::optional<std::uint64_t>();
  auto stored = ARCA_TRY(
      conn.cached("SELECT min_time_ms, max_time_ms, bits FROM audit_filters WHERE first_seq = ?"));
  for (std::uint64_t start = audit_segment_start(static_cast<std::uint64_t>(first));
       start + kAuditSegment - 1 <= static_cast<std::uint64_t>(head); start += kAuditSegment) {
    const std::uint64_t first_here = std::max(start, static_cast<std::uint64_t>(first));
    stored.bind(1, as_int(start));
    if (!ARCA_TRY(stored.step())) {
      stored.reset();
      return std::optional<std::uint64_t>(first_here);  // the filter is gone
    }
    const std::int64_t min_t = stored.column_int(0);
    const std::int64_t max_t = stored.column_int(1);
    const Bytes bits = stored.column_blob(2);
    stored.reset();
    if (start < static_cast<std::uint64_t>(first))
      continue;  // partly pruned: its records are not all there to rebuild it from
    SegmentFilter rebuilt = ARCA_TRY(segment_filter_of(conn, start));
    if (rebuilt.filter.bits() != bits || rebuilt.min_time_ms != min_t ||
        rebuilt.max_time_ms != max_t)
      return std::optional<std::uint64_t>(start);
  }
  return std::optional<std::uint64_t>();
}

}  // namespace arca::store::sqlite
