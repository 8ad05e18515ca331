// Internal to store/sqlite: the search filters of the audit trail (audit migration 2). The trail
// is cut into segments of kAuditSegment records aligned on seq (1..1024, 1025..2048, ...); when a
// segment fills, a Bloom filter of the search keys its records name (store::AuditKey: each
// PatientRef, each Study Instance UID, the actor) is stored with it, in the transaction of the
// append that filled it. A search by one key then reads only the segments whose filter may hold
// the key, and the records after the last full segment. Appends between fills cost nothing; a
// fill costs one pass over 1,024 records that are still in the page cache (a few ms once per
// 1,024 records). Filters are built for an existing trail by its migration, and pruned with the
// records. They are derived data outside the hash chain: verification rebuilds each one and
// reports a segment whose filter was deleted or altered (records hidden from searches).
// Thread-safety: as the Connection passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "store/audit_log.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

inline constexpr std::uint64_t kAuditSegment = 1024;

// First seq of the segment holding `seq` (>= 1).
inline std::uint64_t audit_segment_start(std::uint64_t seq) {
  return (seq - 1) / kAuditSegment * kAuditSegment + 1;
}

// A Bloom filter over key texts, kept as its bit array (12 bits and 8 probes per key: about
// 0.3 % false positives). The hash is a fixed function of the text, so a filter read back
// answers as the one built.
class KeyFilter {
 public:
  static KeyFilter sized_for(std::size_t keys);
  explicit KeyFilter(Bytes bits) : bits_(std::move(bits)) {}
  void add(std::string_view key);
  bool may_contain(std::string_view key) const;
  const Bytes& bits() const { return bits_; }

 private:
  Bytes bits_;
};

// "p:" PatientRef, "s:" Study Instance UID, "a:" actor.
std::string audit_key_text(const AuditKey& key);
// Whether the record names the key (exactly).
bool record_has_key(const AuditRecord& record, const AuditKey& key);

// Builds and stores the filter of every full segment that has none yet, from the last one
// stored (or the trail's first record) up to the head. Runs inside the caller's transaction.
Result<void> build_full_segments(Connection& conn);

// Whether appending seqs first..last fills a segment (so build_full_segments has work).
inline bool fills_a_segment(std::uint64_t first, std::uint64_t last) {
  return first <= last && last / kAuditSegment > (first - 1) / kAuditSegment;
}

// A stored segment filter.
struct SegmentFilter {
  std::uint64_t first_seq = 0;
  std::int64_t min_time_ms = 0;
  std::int64_t max_time_ms = 0;
  KeyFilter filter{Bytes{}};
};

// Up to `limit` stored filters: with first_seq >= from in ascending order, or with first_seq
// < from in descending order when `descending`.
Result<std::vector<SegmentFilter>> read_segment_filters(Connection& conn, std::uint64_t from,
                                                        bool descending, std::size_t limit);

// A time range as seqs: the full segments whose time span overlaps [from_ms, to_ms) lie in
// [first, end) (empty when none does), and the unfiltered tail starts at `tail`.
struct SegmentSpan {
  std::uint64_t first = 0;
  std::uint64_t end = 0;
  std::uint64_t tail = 1;
};
Result<SegmentSpan> segment_span(Connection& conn, std::int64_t from_ms, std::int64_t to_ms);

// The seq after the last full segment that has a filter (1 when none: everything is tail).
Result<std::uint64_t> first_unfiltered_seq(Connection& conn);

// Verification: the first record of the first full segment whose filter is missing or differs
// from the one its records give (a partly pruned first segment is not rebuilt), if any.
Result<std::optional<std::uint64_t>> first_unkeyed_audit_record(Connection& conn);

}  // namespace arca::store::sqlite
