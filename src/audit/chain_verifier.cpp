#include "audit/chain_verifier.h"

#include <map>

namespace arca::audit {
namespace {

constexpr std::size_t kPage = 1000;

ChainBreak at(std::uint64_t seq, BreakKind kind, std::string message) {
  return ChainBreak{seq, kind, std::move(message)};
}

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

// The first problem with one record, given the chain so far.
std::optional<ChainBreak> check_record(const store::AuditRecord& r, std::uint64_t expected,
                                       const std::string& prev,
                                       const std::map<std::uint64_t, store::AuditCheckpoint>& cps) {
  if (r.seq != expected) {
    std::string range = r.seq - 1 == expected ? n(expected) : n(expected) + ".." + n(r.seq - 1);
    return at(expected, BreakKind::kMissing,
              "record " + range + " missing (deleted): the log jumps to record " + n(r.seq));
  }
  if (record_hash(r) != r.hash) {
    return at(r.seq, BreakKind::kEdited,
              "record " + n(r.seq) + " does not match its hash (edited or moved)");
  }
  if (r.prev_hash != prev) {
    return at(r.seq, BreakKind::kBrokenLink,
              "record " + n(r.seq) + " does not chain to record " + n(r.seq - 1) +
                  " (inserted, reordered, or its predecessor was rewritten)");
  }
  auto cp = cps.find(r.seq);
  if (cp != cps.end() && cp->second.head_hash != r.hash) {
    return at(r.seq, BreakKind::kCheckpointMismatch,
              "record " + n(r.seq) + " differs from what its signed checkpoint vouches for");
  }
  return std::nullopt;
}

}  // namespace

std::string_view break_kind_name(BreakKind kind) {
  switch (kind) {
    case BreakKind::kEdited:
      return "edited";
    case BreakKind::kBrokenLink:
      return "broken_link";
    case BreakKind::kMissing:
      return "missing";
    case BreakKind::kBadCheckpoint:
      return "bad_checkpoint";
    case BreakKind::kCheckpointMismatch:
      return "checkpoint_mismatch";
    case BreakKind::kTruncated:
      return "truncated";
    case BreakKind::kUnsignedTail:
      return "unsigned_tail";
    case BreakKind::kUnkeyed:
      return "unkeyed";
  }
  return "unknown";
}

Result<VerifyReport> verify_chain(store::AuditLogReader& log, const CheckpointSigner& signer) {
  VerifyReport report;
  std::map<std::uint64_t, store::AuditCheckpoint> cps;
  for (auto& c : ARCA_TRY(log.checkpoints())) {
    ++report.checkpoints;
    if (!signer.valid(c) && !report.first_break) {
      report.first_break = at(c.seq, BreakKind::kBadCheckpoint,
                              "checkpoint at record " + n(c.seq) + " has an invalid signature");
    }
    cps.emplace(c.seq, std::move(c));
  }
  std::uint64_t expected = 1;
  std::string prev(kGenesisHash);
  // After retention pruning the trail starts just after a signed checkpoint, which vouches for
  // the hash the first remaining record chains to.
  auto first = ARCA_TRY(log.read(1, 1));
  if (!first.empty() && first[0].seq > 1) {
    auto anchor = cps.find(first[0].seq - 1);
    if (anchor != cps.end()) {
      expected = first[0].seq;
      prev = anchor->second.head_hash;
      report.first = expected;
    }
  }
  while (!report.first_break) {
    auto page = ARCA_TRY(log.read(expected, kPage));
    for (const auto& r : page) {
      report.first_break = check_record(r, expected, prev, cps);
      if (report.first_break)
        break;
      ++report.records;
      prev = r.hash;
      expected = r.seq + 1;
    }
    if (page.size() < kPage)
      break;
  }
  report.head = expected - 1;
  if (report.first_break)
    return report;
  std::uint64_t signed_head = cps.empty() ? 0 : cps.rbegin()->first;
  if (signed_head > report.head) {
    report.first_break = at(report.head + 1, BreakKind::kTruncated,
                            "record " + n(report.head + 1) + ".." + n(signed_head) +
                                " missing (truncated): a signed checkpoint vouches for record " +
                                n(signed_head) + " but the log ends at " + n(report.head));
  } else if (report.head > signed_head) {
    report.first_break = at(signed_head + 1, BreakKind::kUnsignedTail,
                            "record " + n(signed_head + 1) + ".." + n(report.head) +
                                " not covered by a signed checkpoint (appended without the key, "
                                "or written just before a crash)");
  }
  if (report.first_break)
    return report;
  if (auto unkeyed = ARCA_TRY(log.first_unkeyed_record())) {
    report.first_break = at(*unkeyed, BreakKind::kUnkeyed,
                            "record " + n(*unkeyed) +
                                " and its segment are hidden from searches by patient, study or "
                                "actor: the segment's search filter was deleted or altered");
  }
  return report;
}

}  // namespace arca::audit
