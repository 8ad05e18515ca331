// ChainedAuditRecorder: the tamper-evident AuditRecorder (DESIGN §6). Each event becomes the
// next record of the hash chain in the AuditLog; every `checkpoint_records` records, every
// `checkpoint_interval` (when records arrived since the last checkpoint) and at close() it signs
// a checkpoint of the head. With a sync_interval, checkpoints other than close()'s are committed
// unsynced like the records (AuditLog::append_checkpoint_unsynced: with the journal, record()
// does not wait for audit.db), and the timer's sync runs without the writer's turn, so no
// record() waits for it.
//
// Group commit: record() returns only after its record is durably appended, so an access that
// is acknowledged is audited. Callers that arrive while a batch is being written queue up and
// the next of them writes the whole queue in one transaction, so under load many accesses
// share one commit. A failed append fails every record() of that batch and leaves the head
// unchanged (the caller refuses the access: fail closed).
// Enlisting (TransactionalAuditRecorder): a caller with its own index transaction (the ingest
// group commit) takes the writer role before that transaction and appends its records once it
// has committed, so nothing lands between the two. Records queued by record() meanwhile wait
// for the role as they would for another batch.
// Records found after the last checkpoint when opening (a crash before the checkpoint, or a
// forger's) are left as they are and logged; `arca audit verify` reports such an unsigned tail.
// The first batch this recorder writes starts with a notice record (action admin, outcome
// failure, error integrity) naming that range, so once the head is signed again the chain
// itself still says which records nothing vouched for. Opening and closing without recording
// writes and signs nothing, so merely opening the archive never vouches for a forged tail.
// Thread-safety: thread-safe. Owns one thread (the periodic checkpoint and, with a
// sync_interval, the periodic sync), stopped by close() or the destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "audit/record_chain.h"
#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "store/audit_log.h"

namespace arca::audit {

struct ChainedRecorderOptions {
  std::uint64_t checkpoint_records = 1000;
  std::chrono::milliseconds checkpoint_interval{std::chrono::seconds(60)};
  // 0: record() returns once its record is on disk (an fsync per batch). Above 0: record()
  // returns once its record is committed (visible, and surviving a crash of the process; a
  // failure still fails the record and so refuses the access), and the timer thread makes it
  // durable against a power loss within this interval (AuditLog::sync). See docs/adr/0013.
  std::chrono::milliseconds sync_interval{0};
};

struct ChainedRecorderDeps {
  store::AuditLog& log;
  const Clock& clock;
  Logger& logger;
};

class ChainedAuditRecorder final : public AuditRecorder, public TransactionalAuditRecorder {
 public:
  static Result<std::unique_ptr<ChainedAuditRecorder>> open(ChainedRecorderDeps deps,
                                                            CheckpointSigner signer,
                                                            ChainedRecorderOptions options);
  ~ChainedAuditRecorder() override;

  Result<void> record(const AuditEvent& event) override;
  Result<std::unique_ptr<AuditEnlistment>> enlist() override;
  // Signs a checkpoint of the head now if records arrived since the last one.
  Result<void> checkpoint();
  // Stops the checkpoint thread and signs a final checkpoint. Idempotent.
  Result<void> close();

  // Transactions used so far (for tests and metrics: fewer than records under load).
  std::uint64_t commits() const;

 private:
  struct Batch;
  class Enlistment;
  // Records linked onto the head, and the head they make once durable.
  struct Linked {
    std::vector<store::AuditRecord> records;
    store::AuditHead head;
  };
  ChainedAuditRecorder(ChainedRecorderDeps deps, CheckpointSigner signer,
                       ChainedRecorderOptions options, store::AuditHead head,
                       std::uint64_t checkpointed);
  // Waits to become the one writer; returns with the lock held and writing_ set.
  void acquire_writer(std::unique_lock<std::mutex>& lock);
  void release_writer(std::unique_lock<std::mutex>& lock);
  Result<void> write(Batch& batch);
  // Writer only: links `records` onto the head, after the unsigned-tail notice if still owed.
  Linked chain(std::vector<store::AuditRecord> records) const;
  // Writer only: records up to `head` are durable; signs a checkpoint if one is due.
  void advance(store::AuditHead head);
  store::AuditRecord unsigned_tail_notice() const;
  // `unsynced`: committed as append_unsynced() commits records (AuditLog::
  // append_checkpoint_unsynced); otherwise durably.
  Result<void> sign_head(bool unsynced = false);
  bool checkpoint_due() const;
  // Writer only: syncs records appended unsynced, if any.
  void sync_if_needed();
  bool deferred() const { return options_.sync_interval.count() > 0; }
  void run_timer(std::stop_token stop);

  ChainedRecorderDeps deps_;
  CheckpointSigner signer_;
  ChainedRecorderOptions options_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;        // the writer role and batch results
  std::condition_variable_any timer_cv_;  // only the stop token wakes the timer early
  bool writing_ = false;
  bool closed_ = false;
  // The batch now filling; shared because the writer that takes it and every caller waiting
  // for its result hold it until the result is published.
  std::shared_ptr<Batch> filling_;
  std::uint64_t commits_ = 0;

  // Touched only by the writer (writing_ == true).
  store::AuditHead head_;
  std::uint64_t checkpointed_ = 0;  // seq of the last checkpoint
  bool wrote_ = false;              // only a recorder that appended signs: never a bare open
  bool unsynced_ = false;           // records appended unsynced since the last sync
  // The last checkpoint, if committed unsynced: close() and checkpoint() commit it durably.
  std::optional<store::AuditCheckpoint> unsynced_checkpoint_;
  Clock::TimePoint last_checkpoint_;

  std::jthread timer_;
};

}  // namespace arca::audit
