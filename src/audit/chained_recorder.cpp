#include "audit/chained_recorder.h"

#include <algorithm>

namespace arca::audit {

struct ChainedAuditRecorder::Batch {
  std::vector<store::AuditRecord> records;
  bool done = false;
  Result<void> result;
};

Result<std::unique_ptr<ChainedAuditRecorder>> ChainedAuditRecorder::open(
    ChainedRecorderDeps deps, CheckpointSigner signer, ChainedRecorderOptions options) {
  store::AuditHead head = ARCA_TRY(deps.log.head());
  auto checkpoints = ARCA_TRY(deps.log.checkpoints());
  std::uint64_t checkpointed = checkpoints.empty() ? 0 : checkpoints.back().seq;
  if (head.seq > checkpointed) {
    deps.logger.warn("audit: records " + std::to_string(checkpointed + 1) + ".." +
                     std::to_string(head.seq) +
                     " are not covered by a signed checkpoint; the next record notes it");
  }
  return std::unique_ptr<ChainedAuditRecorder>(
      new ChainedAuditRecorder(deps, std::move(signer), options, std::move(head), checkpointed));
}

ChainedAuditRecorder::ChainedAuditRecorder(ChainedRecorderDeps deps, CheckpointSigner signer,
                                           ChainedRecorderOptions options, store::AuditHead head,
                                           std::uint64_t checkpointed)
    : deps_(deps),
      signer_(std::move(signer)),
      options_(options),
      head_(std::move(head)),
      checkpointed_(checkpointed),
      last_checkpoint_(deps.clock.now()) {
  timer_ = std::jthread([this](std::stop_token stop) { run_timer(stop); });
}

ChainedAuditRecorder::~ChainedAuditRecorder() {
  auto closed = close();
  if (!closed.ok())
    deps_.logger.error("audit: final checkpoint failed: " + closed.error().to_string());
}

Result<void> ChainedAuditRecorder::record(const AuditEvent& event) {
  store::AuditRecord record = to_record(event);
  std::unique_lock lock(mu_);
  if (closed_)
    return make_error(ErrorCode::kUnavailable, "audit recorder is closed");
  if (!filling_)
    filling_ = std::make_shared<Batch>();
  std::shared_ptr<Batch> mine = filling_;
  mine->records.push_back(std::move(record));
  while (!mine->done) {
    if (writing_) {
      cv_.wait(lock);
      continue;
    }
    // Nobody is writing, so every batch taken so far is done: the filling one is ours.
    writing_ = true;
    std::shared_ptr<Batch> batch = std::move(filling_);
    lock.unlock();
    Result<void> written = write(*batch);
    lock.lock();
    batch->result = std::move(written);
    batch->done = true;
    release_writer(lock);
  }
  return mine->result;
}

void ChainedAuditRecorder::acquire_writer(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [&] { return !writing_; });
  writing_ = true;
}

void ChainedAuditRecorder::release_writer(std::unique_lock<std::mutex>&) {
  writing_ = false;
  cv_.notify_all();
}

store::AuditRecord ChainedAuditRecorder::unsigned_tail_notice() const {
  store::AuditRecord notice;
  notice.time_ms = to_unix_ms(deps_.clock.now());
  notice.actor = "arca";
  notice.action = std::string(audit_action_name(AuditAction::kAdmin));
  notice.outcome = "failure";
  notice.error_code = std::string(error_code_name(ErrorCode::kIntegrity));
  notice.detail = "records " + std::to_string(checkpointed_ + 1) + ".." +
                  std::to_string(head_.seq) +
                  " were not covered by a signed checkpoint when the audit trail was opened "
                  "(a crash before the checkpoint, or records appended without the key)";
  return notice;
}

ChainedAuditRecorder::Linked ChainedAuditRecorder::chain(
    std::vector<store::AuditRecord> records) const {
  if (head_.seq > checkpointed_ && !wrote_)
    records.insert(records.begin(), unsigned_tail_notice());
  std::uint64_t seq = head_.seq;
  std::string prev = head_.seq == 0 ? std::string(kGenesisHash) : head_.hash;
  for (store::AuditRecord& r : records) {
    link(r, ++seq, prev);
    prev = r.hash;
  }
  return Linked{std::move(records), store::AuditHead{seq, std::move(prev)}};
}

void ChainedAuditRecorder::advance(store::AuditHead head) {
  head_ = std::move(head);
  wrote_ = true;
  if (checkpoint_due()) {
    // The records are durable already; a failed checkpoint is retried at the next one.
    // With a sync interval the checkpoint is committed as the records are (the caller, a read
    // waiting for its answer, does not wait for the journal's ~1,000 records to be moved into
    // audit.db first, nor for a durable commit).
    auto signed_head = sign_head(deferred());
    if (!signed_head.ok())
      deps_.logger.error("audit: checkpoint failed: " + signed_head.error().to_string());
  }
}

Result<void> ChainedAuditRecorder::write(Batch& batch) {
  Linked linked = chain(std::move(batch.records));
  const bool deferred = options_.sync_interval.count() > 0;
  // Only the head is needed after the append: the records go to the log without a copy.
  auto appended = deferred ? deps_.log.take_unsynced(std::move(linked.records))
                           : deps_.log.append(linked.records);
  {
    std::lock_guard lock(mu_);
    ++commits_;
  }
  if (!appended.ok())
    return appended.error().context("audit append");
  unsynced_ = unsynced_ || deferred;
  advance(std::move(linked.head));
  return ok();
}

class ChainedAuditRecorder::Enlistment final : public AuditEnlistment {
 public:
  explicit Enlistment(ChainedAuditRecorder& recorder) : recorder_(recorder) {}
  ~Enlistment() override {
    std::unique_lock lock(recorder_.mu_);
    recorder_.release_writer(lock);
  }
  Enlistment(const Enlistment&) = delete;
  Enlistment& operator=(const Enlistment&) = delete;

  Result<void> append(const std::vector<AuditEvent>& events) override {
    if (events.empty())
      return ok();
    Batch batch;
    batch.records.reserve(events.size());
    for (const AuditEvent& e : events)
      batch.records.push_back(to_record(e));
    return recorder_.write(batch);
  }

 private:
  ChainedAuditRecorder& recorder_;
};

Result<std::unique_ptr<AuditEnlistment>> ChainedAuditRecorder::enlist() {
  std::unique_lock lock(mu_);
  if (closed_)
    return make_error(ErrorCode::kUnavailable, "audit recorder is closed");
  acquire_writer(lock);
  if (closed_) {
    release_writer(lock);
    return make_error(ErrorCode::kUnavailable, "audit recorder is closed");
  }
  return std::unique_ptr<AuditEnlistment>(std::make_unique<Enlistment>(*this));
}

bool ChainedAuditRecorder::checkpoint_due() const {
  if (head_.seq == checkpointed_ || !wrote_)
    return false;
  return head_.seq - checkpointed_ >= options_.checkpoint_records ||
         deps_.clock.now() - last_checkpoint_ >= options_.checkpoint_interval;
}

Result<void> ChainedAuditRecorder::sign_head(bool unsynced) {
  if (!unsynced && unsynced_checkpoint_ && unsynced_checkpoint_->seq == head_.seq) {
    // The head's checkpoint was committed unsynced: commit it durably (the log may have
    // written it already, which is as good).
    auto r = deps_.log.append_checkpoint(*unsynced_checkpoint_);
    if (!r.ok() && r.error().code != ErrorCode::kAlreadyExists)
      return r;
    unsynced_checkpoint_.reset();
    unsynced_ = false;
    return ok();
  }
  if (head_.seq == checkpointed_ || !wrote_)
    return ok();
  Clock::TimePoint now = deps_.clock.now();
  store::AuditCheckpoint checkpoint = signer_.sign(head_.seq, head_.hash, to_unix_ms(now));
  if (unsynced) {
    ARCA_TRY(deps_.log.append_checkpoint_unsynced(checkpoint));
    unsynced_checkpoint_ = std::move(checkpoint);
  } else {
    ARCA_TRY(deps_.log.append_checkpoint(checkpoint));
    unsynced_checkpoint_.reset();
    unsynced_ = false;  // a durable commit: every earlier one is on disk too
  }
  checkpointed_ = head_.seq;
  last_checkpoint_ = now;
  return ok();
}

Result<void> ChainedAuditRecorder::checkpoint() {
  std::unique_lock lock(mu_);
  acquire_writer(lock);
  lock.unlock();
  Result<void> r = sign_head();
  lock.lock();
  release_writer(lock);
  return r;
}

void ChainedAuditRecorder::sync_if_needed() {
  if (!unsynced_)
    return;
  auto r = deps_.log.sync();
  if (!r.ok()) {
    deps_.logger.error("audit: sync failed (retried): " + r.error().to_string());
    return;
  }
  unsynced_ = false;
}

void ChainedAuditRecorder::run_timer(std::stop_token stop) {
  std::unique_lock lock(mu_);
  const auto tick = deferred() ? std::min(options_.sync_interval, options_.checkpoint_interval)
                               : options_.checkpoint_interval;
  while (!stop.stop_requested()) {
    timer_cv_.wait_for(lock, stop, tick, [] { return false; });
    if (stop.stop_requested())
      return;
    acquire_writer(lock);
    lock.unlock();
    if (checkpoint_due()) {
      auto r = sign_head(deferred());
      if (!r.ok())
        deps_.logger.error("audit: checkpoint failed: " + r.error().to_string());
    }
    // The sync runs without the writer's turn, so that records go on being appended meanwhile
    // (it covers every record appended before it; later ones are synced at the next tick).
    const bool sync = unsynced_;
    unsynced_ = false;
    lock.lock();
    release_writer(lock);
    if (!sync)
      continue;
    lock.unlock();
    auto r = deps_.log.sync();
    lock.lock();
    if (!r.ok()) {
      deps_.logger.error("audit: sync failed (retried): " + r.error().to_string());
      acquire_writer(lock);
      unsynced_ = true;
      release_writer(lock);
    }
  }
}

Result<void> ChainedAuditRecorder::close() {
  {
    std::lock_guard lock(mu_);
    if (closed_)
      return ok();
    closed_ = true;
  }
  timer_.request_stop();
  if (timer_.joinable())
    timer_.join();
  std::unique_lock lock(mu_);
  acquire_writer(lock);
  // Callers queued before close() still get their records written.
  std::shared_ptr<Batch> batch = std::move(filling_);
  lock.unlock();
  if (batch)
    batch->result = write(*batch);
  Result<void> r = sign_head();
  sync_if_needed();
  lock.lock();
  if (batch)
    batch->done = true;
  release_writer(lock);
  return r;
}

std::uint64_t ChainedAuditRecorder::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

}  // namespace arca::audit
