#include "service/group_committer.h"

namespace arca::service {

GroupCommitter::GroupCommitter(store::Index& index, store::BlobStore& blobs, Logger& logger,
                               std::size_t max_batch, audit::TransactionalAuditRecorder* audit)
    : index_(index),
      blobs_(blobs),
      logger_(logger),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      audit_(audit) {}

Result<Committed> GroupCommitter::commit(CommitRequest request) {
  Pending pending{std::move(request), std::nullopt};
  std::unique_lock lock(mu_);
  queue_.push_back(&pending);
  cv_.wait(lock, [&] { return pending.finished || !leading_; });
  if (!pending.finished) {
    leading_ = true;
    lead(lock, pending);
    leading_ = false;
    cv_.notify_all();  // the members it committed, and a waiting caller to take the lead
  }
  return std::move(*pending.result);
}

std::uint64_t GroupCommitter::transactions() const {
  std::lock_guard lock(mu_);
  return transactions_;
}

void GroupCommitter::lead(std::unique_lock<std::mutex>& lock, const Pending& own) {
  while (!own.finished) {
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    commit_batch(batch);
    lock.lock();
    for (Pending* p : batch)
      p->finished = true;
    if (!own.finished)
      cv_.notify_all();  // members of this batch return while the leader goes on
  }
}

void GroupCommitter::append_audit(audit::AuditEnlistment& enlistment,
                                  const std::vector<Pending*>& batch,
                                  std::vector<Committed>& results) {
  // A put that met a concurrent store of its UID changed nothing: its caller goes again.
  auto audits = [&](std::size_t i) {
    return static_cast<bool>(batch[i]->request.audit) &&
           results[i].put.outcome != store::PutOutcome::kExists;
  };
  std::vector<audit::AuditEvent> events;
  events.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (audits(i))
      events.push_back(batch[i]->request.audit(results[i].put));
  }
  if (events.empty())
    return;
  auto appended = enlistment.append(events);
  if (!appended.ok()) {
    // Committed but not audited: each caller records through its recorder (site policy).
    logger_.error("audit append after an index commit failed; recording the " +
                  std::to_string(events.size()) +
                  " stores one by one: " + appended.error().to_string());
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i)
    results[i].audited = audits(i);
}

Result<std::vector<Committed>> GroupCommitter::try_commit(const std::vector<Pending*>& batch) {
  // The chain's turn before the index's transaction: the order every audit writer takes. If
  // the chain is closed the batch still commits, unaudited (its callers record or refuse).
  std::unique_ptr<audit::AuditEnlistment> enlistment;
  if (audit_ != nullptr) {
    auto enlisted = audit_->enlist();
    if (enlisted.ok())
      enlistment = std::move(enlisted).value();
  }
  auto tx = ARCA_TRY(index_.begin());
  std::vector<Committed> results;
  results.reserve(batch.size());
  for (Pending* p : batch)
    results.push_back(Committed{
        ARCA_TRY(tx->put_instance(p->request.instance, p->request.policy, p->request.replaces))});
  ARCA_TRY(tx->commit());
  tx.reset();
  if (enlistment)
    append_audit(*enlistment, batch, results);
  std::lock_guard lock(mu_);
  ++transactions_;
  return results;
}

void GroupCommitter::commit_batch(std::vector<Pending*>& batch) {
  auto results = try_commit(batch);
  if (results.ok()) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      release_unreferenced(*batch[i], results.value()[i].put);
      batch[i]->result = results.value()[i];
    }
    return;
  }
  if (batch.size() > 1) {
    logger_.warn("group commit of " + std::to_string(batch.size()) +
                 " instances failed, retrying one by one: " + results.error().to_string());
  }
  for (Pending* p : batch) {
    auto single = batch.size() == 1 ? std::move(results) : try_commit({p});
    if (single.ok()) {
      release_unreferenced(*p, single.value()[0].put);
      p->result = single.value()[0];
    } else {
      p->result = single.error();
    }
  }
}

void GroupCommitter::release_unreferenced(const Pending& pending, const store::PutResult& result) {
  std::optional<store::BlobId> orphan;
  switch (result.outcome) {
    case store::PutOutcome::kStored:
    case store::PutOutcome::kExists:  // the caller decides what becomes of its blob
      return;
    case store::PutOutcome::kDuplicate:
    case store::PutOutcome::kConflict:
      orphan = pending.request.instance.blob;  // the index kept the stored object
      break;
    case store::PutOutcome::kReplaced:
      orphan = result.unreferenced_blob;
      break;
  }
  if (!orphan)
    return;
  auto removed = blobs_.remove(*orphan);
  if (!removed.ok() && removed.error().code != ErrorCode::kNotFound) {
    logger_.warn("could not remove unreferenced blob " + orphan->str() + ": " +
                 removed.error().to_string());
  }
}

}  // namespace arca::service
