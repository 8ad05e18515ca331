// GroupCommitter: makes many concurrent ingests share one index transaction (and so one fsync
// of the index), as DESIGN §1 asks. Callers block in commit() until their row is durable or
// has failed. The first caller to find no commit under way leads: on its own thread it takes
// whatever is queued (up to max_batch) and commits it as one transaction, again until its own
// row is done, then hands the lead to a waiting caller. Callers arriving meanwhile queue up and
// form the next batch. (A dedicated committer thread cost every lone store two thread switches.)
// If the batch transaction fails, each member is retried alone so one bad instance cannot fail
// the others. Blobs that a commit leaves unreferenced (a duplicate that
// raced, a replaced object) are removed by the committer.
//
// Audit right after the commit: given a TransactionalAuditRecorder, the committer takes the
// audit chain's writer turn before the index transaction, commits the transaction (durable),
// and then, still holding the turn, appends the batch's store records (the event each member's
// `audit` function makes of how its put turned out) to the audit log (audit.db, a file of its
// own), committed as every other record is (synced within [audit] sync_interval_ms). No other
// record can land between the commit and its records, so the trail shows every store before
// any read of it. A crash between the two is repaired at the next start (audit_reconcile.h). A
// batch whose audit append fails is reported `audited = false`: its callers then record through
// their AuditRecorder, whose failure policy (refuse the store, or fail open with an alert)
// decides, as docs/adr/0014 explains.
// A put that ends kExists (the index cannot compare the bytes) changes nothing, is not audited
// and keeps the caller's blob: the caller compares and commits again or removes it.
// Thread-safety: commit() is thread-safe. Callers must have returned before destruction.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "audit/recorder.h"
#include "core/logger.h"
#include "store/index.h"

namespace arca::service {

struct CommitRequest {
  store::StoredInstance instance;
  store::ConflictPolicy policy = store::ConflictPolicy::kKeepFirst;
  // The stored blob the caller compared with and found different (IndexTransaction::put_instance).
  std::optional<store::BlobId> replaces;
  // The audit event of this store as the put turned out; empty: the caller records it.
  std::function<audit::AuditEvent(const store::PutResult&)> audit;
};

struct Committed {
  store::PutResult put;
  bool audited = false;  // its audit record was appended right after the commit
};

class GroupCommitter {
 public:
  // `audit` (optional) enlists the audit chain around each batch transaction.
  GroupCommitter(store::Index& index, store::BlobStore& blobs, Logger& logger,
                 std::size_t max_batch, audit::TransactionalAuditRecorder* audit = nullptr);
  ~GroupCommitter() = default;
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  Result<Committed> commit(CommitRequest request);

  // Number of index transactions committed so far (for tests and metrics).
  std::uint64_t transactions() const;

 private:
  struct Pending {
    CommitRequest request;
    std::optional<Result<Committed>> result;  // set by the leader before `finished`
    bool finished = false;                    // guarded by mu_
  };
  // The leader's turn: batches from the queue until `own` is finished. Called and returns with
  // `lock` held.
  void lead(std::unique_lock<std::mutex>& lock, const Pending& own);
  void commit_batch(std::vector<Pending*>& batch);
  Result<std::vector<Committed>> try_commit(const std::vector<Pending*>& batch);
  // After the commit: appends the audit records of those members that have an audit function
  // and marks them audited; on failure leaves them unaudited (their callers record).
  void append_audit(audit::AuditEnlistment& enlistment, const std::vector<Pending*>& batch,
                    std::vector<Committed>& results);
  void release_unreferenced(const Pending& pending, const store::PutResult& result);

  store::Index& index_;
  store::BlobStore& blobs_;
  Logger& logger_;
  std::size_t max_batch_;
  audit::TransactionalAuditRecorder* audit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // a batch finished, or the lead is free
  std::deque<Pending*> queue_;
  bool leading_ = false;  // a caller is committing batches
  std::uint64_t transactions_ = 0;
};

}  // namespace arca::service
