// JournaledAuditLog: an AuditLog that commits append_unsynced() to an encrypted journal of its
// own (AuditJournal: one write per batch, no SQLite on the caller's path) and moves the records
// into the inner log (audit.db) from a queue, in batches, on a thread of its own (docs/adr/0017).
//
// - append_unsynced(): the records are in the journal file when it returns (surviving a crash
//   of the process), durable after the next sync(), and in the inner log soon after. A failed
//   journal write fails the append, as a failed commit did (fail closed).
// - sync(): fdatasync of the journal; appends go on while it runs.
// - append_checkpoint_unsynced(): queued behind the records, appended to the inner log with them.
// - Every other method (the durable appends, checkpoints, pruning and every read) first moves
//   the queue into the inner log, so it sees every record appended before it was called; if
//   that fails it returns the error rather than an incomplete answer. A failed move is also
//   logged and retried by the thread; the records stay queued and in the journal meanwhile,
//   and append_unsynced() refuses new ones with that error until a move succeeds (fail closed
//   as when the inner log refused them itself, one flush interval later at most).
// - open() replays what a previous process left in the journal beyond the inner log's head
//   (a crash before its records reached audit.db), syncs the inner log, and starts an empty
//   journal. The journal is emptied (started afresh) only once every record it holds is durable
//   in the inner log: when it reaches `rotate_bytes`, and when the log is destroyed.
// Thread-safety: thread-safe. Callers serialize appends (one chain head), as for every AuditLog.
// Owns one thread (the flusher), stopped by the destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/logger.h"
#include "core/random.h"
#include "core/secret.h"
#include "store/audit_log.h"
#include "store/encrypted/audit_journal.h"

namespace arca::store {

struct JournaledAuditLogOptions {
  std::filesystem::path file;  // <data>/audit.journal
  // Larger, rarer moves cost less per record (docs/adr/0017: 50 ms / 256 → 1 s / 1,024 made
  // single-client reads ~1–2 % faster); every read of the log drains the queue first anyway.
  std::size_t flush_records = 1024;                // a queue this long is moved at once
  std::chrono::milliseconds flush_interval{1000};  // otherwise every interval
  std::uint64_t rotate_bytes = 4U << 20;           // start the journal afresh beyond this size
};

struct JournaledAuditLogDeps {
  AuditLog& inner;
  Random& random;  // file salts
  Logger& logger;
};

class JournaledAuditLog final : public AuditLog {
 public:
  // `key` is 32 bytes derived with KeyPurpose::kAuditJournal. kIntegrity if the journal was
  // altered (a damaged record with intact ones after it, a gap) or is under another key.
  static Result<std::unique_ptr<JournaledAuditLog>> open(JournaledAuditLogDeps deps,
                                                         SecretBytes key,
                                                         JournaledAuditLogOptions options);
  // For an inner log used without a journal: replays what `file` holds beyond its head, syncs
  // it and removes the journal. Returns the number of records replayed (0 without a journal).
  static Result<std::uint64_t> replay(AuditLog& inner, const std::filesystem::path& file,
                                      const SecretBytes& key, Logger& logger);
  // Stops the flusher, moves the queue into the inner log, syncs it and empties the journal; if
  // that fails the journal is kept and replayed at the next open.
  ~JournaledAuditLog() override;

  Result<std::vector<AuditRecord>> read(std::uint64_t from, std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_time_range(std::int64_t from_ms, std::int64_t to_ms,
                                                   std::uint64_t after, std::size_t limit) override;
  Result<std::vector<AuditRecord>> read_time_range_newest_first(std::int64_t from_ms,
                                                                std::int64_t to_ms,
                                                                std::uint64_t before,
                                                                std::size_t limit) override;
  Result<AuditKeyedPage> read_by_key(const AuditKey& key, std::int64_t from_ms, std::int64_t to_ms,
                                     std::uint64_t cursor, bool newest_first,
                                     std::size_t limit) override;
  Result<std::optional<std::uint64_t>> first_unkeyed_record() override;
  Result<AuditHead> head() override;
  Result<std::vector<AuditCheckpoint>> checkpoints() override;
  Result<void> append(const std::vector<AuditRecord>& records) override;
  Result<void> append_unsynced(const std::vector<AuditRecord>& records) override;
  // The records go into the queue without a copy.
  Result<void> take_unsynced(std::vector<AuditRecord>&& records) override;
  Result<void> sync() override;
  Result<void> append_checkpoint(const AuditCheckpoint& checkpoint) override;
  Result<std::uint64_t> prune_through(std::uint64_t seq) override;
  // Queued behind the records appended before it; the move into the inner log appends it
  // (durably) right after them. A checkpoint the inner log refuses is logged and dropped there
  // (the next one signs a later head, which vouches for these records too), as a failed
  // checkpoint always was; it never refuses records.
  Result<void> append_checkpoint_unsynced(const AuditCheckpoint& checkpoint) override;

  // Moves every queued record into the inner log now.
  Result<void> flush();
  // Records in the journal not yet in the inner log.
  std::size_t queued() const;

 private:
  JournaledAuditLog(JournaledAuditLogDeps deps, SecretBytes key, JournaledAuditLogOptions options,
                    AuditJournal journal);
  // drain_mu_ held: moves the queue into the inner log.
  Result<void> drain_locked();
  // drain_mu_ held: appends the queued checkpoints of records now in the inner log.
  void append_due_checkpoints();
  // After a failed insert: removes from `batch` what the inner log holds after all (kIntegrity
  // if it holds a different record under the same seq).
  Result<void> drop_landed(std::vector<AuditRecord>& batch);
  // Once every record the journal holds is durable in the inner log, starts an empty journal.
  Result<void> rotate();
  void run(std::stop_token stop);

  JournaledAuditLogDeps deps_;
  SecretBytes key_;
  JournaledAuditLogOptions options_;

  // Lock order: drain_mu_, then journal_mu_, then queue_mu_.
  std::mutex drain_mu_;  // one mover into the inner log at a time
  bool insert_failed_ = false;
  std::mutex journal_mu_;  // the journal file
  AuditJournal journal_;
  mutable std::mutex queue_mu_;
  std::condition_variable_any queue_cv_;     // wakes the flusher when the queue is long
  std::deque<AuditRecord> queue_;            // in the journal, not yet in the inner log
  std::deque<AuditCheckpoint> checkpoints_;  // signing queued records, in seq order
  std::optional<Error> refusing_;            // the last move into the inner log failed so

  std::jthread flusher_;
};

}  // namespace arca::store
