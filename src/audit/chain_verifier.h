// verify_chain: walks the audit trail from its first record and its signed checkpoints and
// reports the first broken link (DESIGN §6, `arca audit verify`). A trail pruned for retention
// starts after a signed checkpoint, whose hash the first remaining record must chain to.
//   - a record whose hash does not match its contents: edited (or moved: seq is hashed);
//   - a record whose prev_hash is not its predecessor's hash: inserted, reordered, or a
//     predecessor rewritten together with its hash;
//   - a gap in the sequence numbers: deleted;
//   - a checkpoint with a wrong MAC, or naming a record whose hash differs: forged or rewritten;
//   - a signed checkpoint beyond the last record: truncated;
//   - records after the last checkpoint: unsigned (a crash before the checkpoint, or appended
//     by someone without the key) — reported, since nothing vouches for them;
//   - an intact chain with a segment whose search filter is missing or altered: searches by
//     patient, study or actor would hide its records (filters are derived data outside the
//     chain; the first record of the segment is named).
// Thread-safety: a free function; reads the log through its reader interface.
#pragma once

#include <optional>
#include <string>

#include "audit/record_chain.h"
#include "store/audit_log.h"

namespace arca::audit {

enum class BreakKind {
  kEdited,
  kBrokenLink,
  kMissing,
  kBadCheckpoint,
  kCheckpointMismatch,
  kTruncated,
  kUnsignedTail,
  kUnkeyed,
};

// "edited", "broken_link", "missing", "bad_checkpoint", "checkpoint_mismatch", "truncated",
// "unsigned_tail", "unkeyed"
std::string_view break_kind_name(BreakKind kind);

struct ChainBreak {
  std::uint64_t seq = 0;  // the record (or checkpoint) where the chain first breaks
  BreakKind kind = BreakKind::kEdited;
  std::string message;
};

struct VerifyReport {
  std::uint64_t records = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t first = 1;  // seq of the first record (above 1 after retention pruning)
  std::uint64_t head = 0;   // seq of the last record
  std::optional<ChainBreak> first_break;

  bool intact() const { return !first_break.has_value(); }
};

// Fails only when the log cannot be read; a broken chain is a report, not an error.
Result<VerifyReport> verify_chain(store::AuditLogReader& log, const CheckpointSigner& signer);

}  // namespace arca::audit
