// AuditLog: the append-only store of the audit trail (DESIGN §6). Records are numbered 1, 2, 3,
// ... without gaps and never change once appended; each carries the SHA-256 of its predecessor
// (prev_hash) and of its own canonical bytes (hash), computed by audit/ before appending, so the
// store needs no knowledge of the chain. Checkpoints are HMAC-signed statements "the record at
// seq has this hash", also computed by audit/; the latest one catches truncation.
// Objects are UIDs and PatientRefs (keyed hashes): a record never holds a patient id or name.
// Implementations: SqliteAuditLog (tables audit_records and audit_checkpoints in audit.db);
// JournaledAuditLog (store/encrypted) commits unsynced appends to an encrypted journal in front
// of another AuditLog.
// Thread-safety: implementations are thread-safe; callers serialize appends (one chain head).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace arca::store {

struct AuditRecord {
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;  // UTC, milliseconds since the Unix epoch
  std::string actor;         // opaque: "user:42", "token:7", "ae:MODALITY1", "local-operator"
  std::string tenant;
  std::string action;   // audit_action_name()
  std::string outcome;  // "success" | "failure"
  std::string error_code;
  std::string detail;                 // PHI-free
  std::vector<std::string> patients;  // PatientRefs
  std::vector<std::string> studies;
  std::vector<std::string> series;
  std::vector<std::string> instances;
  std::string client_address;
  std::string user_agent;
  std::string request_id;
  std::string prev_hash;  // lower-case hex SHA-256 of the previous record; 64 zeros for seq 1
  std::string hash;       // lower-case hex SHA-256 of this record's canonical bytes

  bool operator==(const AuditRecord&) const = default;
};

struct AuditCheckpoint {
  std::uint64_t seq = 0;  // the record signed
  std::string head_hash;  // that record's hash
  std::int64_t time_ms = 0;
  std::string mac;  // lower-case hex HMAC-SHA-256 (audit/checkpoint key)

  bool operator==(const AuditCheckpoint&) const = default;
};

// What a record can be found by without reading the others (the search keys audit.db keeps
// beside the records): a PatientRef it names, a Study Instance UID it names, or its actor.
enum class AuditKeyKind { kPatient, kStudy, kActor };

struct AuditKey {
  AuditKeyKind kind = AuditKeyKind::kPatient;
  std::string value;
};

// One step of a search by key: the records found, and where the next step goes on from.
struct AuditKeyedPage {
  std::vector<AuditRecord> records;
  std::uint64_t cursor = 0;  // the next step's `cursor`
  bool end = false;          // nothing further in that direction
};

// The last record: where the next one chains from.
struct AuditHead {
  std::uint64_t seq = 0;  // 0: empty log
  std::string hash;
};

class AuditLogReader {
 public:
  virtual ~AuditLogReader() = default;
  // Up to `limit` records with seq >= from, in seq order (as stored: a tampered log may have
  // gaps; the verifier reports them).
  virtual Result<std::vector<AuditRecord>> read(std::uint64_t from, std::size_t limit) = 0;
  // Records with from_ms <= time_ms < to_ms, in seq order, at most `limit`, seq >= after.
  virtual Result<std::vector<AuditRecord>> read_time_range(std::int64_t from_ms, std::int64_t to_ms,
                                                           std::uint64_t after,
                                                           std::size_t limit) = 0;
  // The same range newest first: seq < before (0: no bound), in descending seq order.
  virtual Result<std::vector<AuditRecord>> read_time_range_newest_first(std::int64_t from_ms,
                                                                        std::int64_t to_ms,
                                                                        std::uint64_t before,
                                                                        std::size_t limit) = 0;
  // Records naming `key`, with from_ms <= time_ms < to_ms: in seq order after `cursor`, or
  // newest first below `cursor` (0: from the newest) when newest_first. One step reads a bounded
  // part of the trail and returns at most `limit` records (possibly none) and where to go on:
  // call again with the page's cursor until `end`.
  virtual Result<AuditKeyedPage> read_by_key(const AuditKey& key, std::int64_t from_ms,
                                             std::int64_t to_ms, std::uint64_t cursor,
                                             bool newest_first, std::size_t limit) = 0;
  // The first record a search by key would miss (its search filter deleted or altered behind
  // the log's back: a patient's access report would leave it out), if any.
  virtual Result<std::optional<std::uint64_t>> first_unkeyed_record() = 0;
  virtual Result<AuditHead> head() = 0;
  // Every checkpoint, in seq order.
  virtual Result<std::vector<AuditCheckpoint>> checkpoints() = 0;
};

class AuditLog : public AuditLogReader {
 public:
  // Appends the records in one durable transaction: all or none. Their seqs must continue the
  // head without a gap (kConflict otherwise, e.g. another writer appended first).
  virtual Result<void> append(const std::vector<AuditRecord>& records) = 0;
  // The same, except that the transaction is committed without waiting for the disk: the
  // records are visible and survive a crash of the process at once, and survive a power loss
  // after the next sync() (or the next durable commit to the log or its index).
  virtual Result<void> append_unsynced(const std::vector<AuditRecord>& records) = 0;
  // append_unsynced() of records the caller no longer needs: an implementation that keeps them
  // may move from them (JournaledAuditLog queues them). Default: append_unsynced(records).
  virtual Result<void> take_unsynced(std::vector<AuditRecord>&& records) {
    return append_unsynced(records);
  }
  // Makes every record appended so far durable. May run while another thread appends.
  virtual Result<void> sync() = 0;
  virtual Result<void> append_checkpoint(const AuditCheckpoint& checkpoint) = 0;
  // The checkpoint, committed as append_unsynced() commits records: after every record
  // appended before it, without waiting for the disk. JournaledAuditLog queues it behind those
  // records, so the caller does not wait for them to be moved into audit.db nor for the
  // checkpoint's own durable commit: both are done by its flusher, within a flush interval and
  // before any read of the log. A crash before that loses the checkpoint (not the records it
  // signs: the journal has them). Default: append_checkpoint().
  virtual Result<void> append_checkpoint_unsynced(const AuditCheckpoint& checkpoint) {
    return append_checkpoint(checkpoint);
  }
  // Retention: removes records 1..seq and the checkpoints below seq in one transaction, keeping
  // the checkpoint at seq as the signed anchor the remaining chain starts from. Only whole
  // signed segments go: kInvalidArgument unless a checkpoint at seq exists and seq is below the
  // head. Returns the number of records removed.
  virtual Result<std::uint64_t> prune_through(std::uint64_t seq) = 0;
};

}  // namespace arca::store
