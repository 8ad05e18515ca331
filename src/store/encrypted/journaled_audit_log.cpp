#include "store/encrypted/journaled_audit_log.h"

#include <algorithm>
#include <iterator>

#include "core/file.h"

namespace arca::store {

namespace {

// One inner transaction holds at most this many records (a long outage's queue goes in steps).
constexpr std::size_t kMaxBatch = 1024;
// After a failed move into the inner log the flusher retries this often, and logs every
// kLogEvery-th failure (and the first, and any new error).
constexpr std::chrono::milliseconds kRetryInterval{100};
constexpr int kLogEvery = 50;

// The records of `contents` beyond `head`: they must continue it without a gap.
Result<std::vector<AuditRecord>> missing_from(JournalContents contents, const AuditHead& head,
                                              const std::filesystem::path& file) {
  std::vector<AuditRecord> out;
  for (AuditRecord& r : contents.records) {
    if (r.seq <= head.seq)
      continue;
    const std::uint64_t expected = out.empty() ? head.seq + 1 : out.back().seq + 1;
    if (r.seq != expected) {
      return make_error(ErrorCode::kIntegrity,
                        "audit journal " + file.string() + ": holds record " +
                            std::to_string(r.seq) + " where record " + std::to_string(expected) +
                            " should follow (the audit log ends at " + std::to_string(head.seq) +
                            "): records are missing from both");
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<std::uint64_t> JournaledAuditLog::replay(AuditLog& inner, const std::filesystem::path& file,
                                                const SecretBytes& key, Logger& logger) {
  auto read = AuditJournal::read(file, key);
  if (!read.ok()) {
    if (read.error().code == ErrorCode::kNotFound)
      return std::uint64_t{0};
    return read.error();
  }
  JournalContents contents = std::move(read).take();
  const bool torn = contents.torn;
  const AuditHead head = ARCA_TRY(inner.head());
  std::vector<AuditRecord> missing = ARCA_TRY(missing_from(std::move(contents), head, file));
  for (std::size_t at = 0; at < missing.size(); at += kMaxBatch) {
    const auto first = missing.begin() + static_cast<std::ptrdiff_t>(at);
    const auto last =
        missing.begin() + static_cast<std::ptrdiff_t>(std::min(at + kMaxBatch, missing.size()));
    ARCA_TRY(inner.append_unsynced(std::vector<AuditRecord>(first, last)));
  }
  ARCA_TRY(inner.sync());
  // Everything it held is durable in the inner log now.
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (ec)
    return make_error(ErrorCode::kIo,
                      "audit journal: remove " + file.string() + ": " + ec.message());
  ARCA_TRY(sync_directory(file.has_parent_path() ? file.parent_path() : "."));
  if (torn) {
    logger.warn(
        "audit journal: discarded an incomplete record at its end (a crash while it "
        "was being written)");
  }
  if (!missing.empty()) {
    logger.warn("audit journal: replayed records " + std::to_string(missing.front().seq) + ".." +
                std::to_string(missing.back().seq) +
                " into the audit log (left by a process that stopped without closing it)");
  }
  return static_cast<std::uint64_t>(missing.size());
}

Result<std::unique_ptr<JournaledAuditLog>> JournaledAuditLog::open(
    JournaledAuditLogDeps deps, SecretBytes key, JournaledAuditLogOptions options) {
  (void)ARCA_TRY(replay(deps.inner, options.file, key, deps.logger));
  auto journal = ARCA_TRY(AuditJournal::create(options.file, key, deps.random));
  return std::unique_ptr<JournaledAuditLog>(
      new JournaledAuditLog(deps, std::move(key), std::move(options), std::move(journal)));
}

JournaledAuditLog::JournaledAuditLog(JournaledAuditLogDeps deps, SecretBytes key,
                                     JournaledAuditLogOptions options, AuditJournal journal)
    : deps_(deps),
      key_(std::move(key)),
      options_(std::move(options)),
      journal_(std::move(journal)) {
  flusher_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

JournaledAuditLog::~JournaledAuditLog() {
  flusher_.request_stop();
  if (flusher_.joinable())
    flusher_.join();
  auto r = rotate();
  if (!r.ok()) {
    deps_.logger.error("audit journal: kept for replay at the next open: " + r.error().to_string());
  }
}

Result<void> JournaledAuditLog::append_unsynced(const std::vector<AuditRecord>& records) {
  return take_unsynced(std::vector<AuditRecord>(records));
}

Result<void> JournaledAuditLog::take_unsynced(std::vector<AuditRecord>&& records) {
  if (records.empty())
    return ok();
  std::lock_guard journal_lock(journal_mu_);
  {
    // The audit log refuses records: so does this log, as the log itself did (fail closed),
    // until they move again.
    std::lock_guard queue_lock(queue_mu_);
    if (refusing_)
      return *refusing_;
  }
  ARCA_TRY(journal_.append(records));
  bool wake = false;
  {
    std::lock_guard queue_lock(queue_mu_);
    queue_.insert(queue_.end(), std::make_move_iterator(records.begin()),
                  std::make_move_iterator(records.end()));
    wake = queue_.size() >= options_.flush_records;
  }
  if (wake)
    queue_cv_.notify_one();
  return ok();
}

Result<void> JournaledAuditLog::sync() {
  std::shared_ptr<const File> file;
  {
    std::lock_guard journal_lock(journal_mu_);
    ARCA_TRY(journal_.sync_directory_once());
    file = journal_.file();
  }
  // The fdatasync without the lock: appends go on meanwhile (what they add is synced next time;
  // every record appended before this call is in the file already). If the journal is started
  // afresh meanwhile, this syncs the old file, whose records are durable in the inner log.
  auto r = file->sync();
  if (!r.ok())
    return r.error().context("audit journal");
  return ok();
}

Result<void> JournaledAuditLog::drain_locked() {
  for (;;) {
    append_due_checkpoints();  // those of the records moved so far
    std::vector<AuditRecord> batch;
    {
      std::lock_guard queue_lock(queue_mu_);
      if (queue_.empty())
        return ok();
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxBatch));
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
    }
    // A failed commit may still have landed: what the inner log holds is not inserted again.
    Result<void> inserted = insert_failed_ ? drop_landed(batch) : ok();
    if (inserted.ok() && !batch.empty())
      inserted = deps_.inner.append_unsynced(batch);
    std::lock_guard queue_lock(queue_mu_);
    if (!inserted.ok()) {
      insert_failed_ = true;
      queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
      refusing_ = inserted.error().context("audit journal: moving records into the audit log");
      return *refusing_;
    }
    insert_failed_ = false;
    refusing_.reset();
  }
}

Result<void> JournaledAuditLog::drop_landed(std::vector<AuditRecord>& batch) {
  const auto landed = ARCA_TRY(deps_.inner.read(batch.front().seq, batch.size()));
  for (const AuditRecord& r : landed) {
    auto same = std::find_if(batch.begin(), batch.end(),
                             [&](const AuditRecord& q) { return q.seq == r.seq; });
    if (same == batch.end())
      continue;
    if (same->hash != r.hash) {
      return make_error(ErrorCode::kIntegrity, "audit log holds another record at " +
                                                   std::to_string(r.seq) + " than the journal");
    }
    batch.erase(same);
  }
  return ok();
}

Result<void> JournaledAuditLog::flush() {
  std::lock_guard drain_lock(drain_mu_);
  return drain_locked();
}

Result<void> JournaledAuditLog::append_checkpoint_unsynced(const AuditCheckpoint& checkpoint) {
  std::lock_guard queue_lock(queue_mu_);
  checkpoints_.push_back(checkpoint);
  return ok();
}

void JournaledAuditLog::append_due_checkpoints() {
  for (;;) {
    AuditCheckpoint checkpoint;
    {
      std::lock_guard queue_lock(queue_mu_);
      // Due once no record it signs is still queued (this is the only mover: none is in flight).
      if (checkpoints_.empty() ||
          (!queue_.empty() && queue_.front().seq <= checkpoints_.front().seq))
        return;
      checkpoint = std::move(checkpoints_.front());
      checkpoints_.pop_front();
    }
    auto r = deps_.inner.append_checkpoint(checkpoint);
    if (!r.ok() && r.error().code != ErrorCode::kAlreadyExists) {
      deps_.logger.error("audit: checkpoint of record " + std::to_string(checkpoint.seq) +
                         " failed (the next one signs a later head): " + r.error().to_string());
    }
  }
}

std::size_t JournaledAuditLog::queued() const {
  std::lock_guard queue_lock(queue_mu_);
  return queue_.size();
}

Result<void> JournaledAuditLog::rotate() {
  std::lock_guard drain_lock(drain_mu_);
  ARCA_TRY(drain_locked());
  // Appends wait from here: the journal may only be emptied once all it holds is in the inner
  // log and durable there.
  std::lock_guard journal_lock(journal_mu_);
  ARCA_TRY(drain_locked());
  ARCA_TRY(deps_.inner.sync());
  journal_ = ARCA_TRY(AuditJournal::create(options_.file, key_, deps_.random));
  return ok();
}

void JournaledAuditLog::run(std::stop_token stop) {
  bool failing = false;
  int failures = 0;
  std::string last_error;
  while (!stop.stop_requested()) {
    {
      std::unique_lock queue_lock(queue_mu_);
      const auto wait = failing ? kRetryInterval : options_.flush_interval;
      queue_cv_.wait_for(queue_lock, stop, wait,
                         [&] { return !failing && queue_.size() >= options_.flush_records; });
    }
    if (stop.stop_requested())
      return;
    auto r = flush();
    bool rotate_due = false;
    if (r.ok()) {
      std::lock_guard journal_lock(journal_mu_);
      rotate_due = journal_.size() >= options_.rotate_bytes || journal_.broken();
    }
    if (r.ok() && rotate_due)
      r = rotate();
    if (!r.ok()) {
      std::string error = r.error().to_string();
      if (failures++ % kLogEvery == 0 || error != last_error) {
        deps_.logger.error("audit: " + error +
                           " (records kept in the journal, new ones refused; retried)");
      }
      last_error = std::move(error);
    } else if (failing) {
      deps_.logger.info("audit journal: records move into the audit log again");
      failures = 0;
      last_error.clear();
    }
    failing = !r.ok();
  }
}

// Everything else sees the inner log once the queue is in it.

Result<std::vector<AuditRecord>> JournaledAuditLog::read(std::uint64_t from, std::size_t limit) {
  ARCA_TRY(flush());
  return deps_.inner.read(from, limit);
}

Result<std::vector<AuditRecord>> JournaledAuditLog::read_time_range(std::int64_t from_ms,
                                                                    std::int64_t to_ms,
                                                                    std::uint64_t after,
                                                                    std::size_t limit) {
  ARCA_TRY(flush());
  return deps_.inner.read_time_range(from_ms, to_ms, after, limit);
}

Result<std::vector<AuditRecord>> JournaledAuditLog::read_time_range_newest_first(
    std::int64_t from_ms, std::int64_t to_ms, std::uint64_t before, std::size_t limit) {
  ARCA_TRY(flush());
  return deps_.inner.read_time_range_newest_first(from_ms, to_ms, before, limit);
}

Result<AuditKeyedPage> JournaledAuditLog::read_by_key(const AuditKey& key, std::int64_t from_ms,
                                                      std::int64_t to_ms, std::uint64_t cursor,
                                                      bool newest_first, std::size_t limit) {
  ARCA_TRY(flush());
  return deps_.inner.read_by_key(key, from_ms, to_ms, cursor, newest_first, limit);
}

Result<std::optional<std::uint64_t>> JournaledAuditLog::first_unkeyed_record() {
  ARCA_TRY(flush());
  return deps_.inner.first_unkeyed_record();
}

Result<AuditHead> JournaledAuditLog::head() {
  ARCA_TRY(flush());
  return deps_.inner.head();
}

Result<std::vector<AuditCheckpoint>> JournaledAuditLog::checkpoints() {
  ARCA_TRY(flush());
  return deps_.inner.checkpoints();
}

Result<void> JournaledAuditLog::append(const std::vector<AuditRecord>& records) {
  std::lock_guard drain_lock(drain_mu_);
  ARCA_TRY(drain_locked());
  return deps_.inner.append(records);
}

Result<void> JournaledAuditLog::append_checkpoint(const AuditCheckpoint& checkpoint) {
  std::lock_guard drain_lock(drain_mu_);
  ARCA_TRY(drain_locked());
  return deps_.inner.append_checkpoint(checkpoint);
}

Result<std::uint64_t> JournaledAuditLog::prune_through(std::uint64_t seq) {
  std::lock_guard drain_lock(drain_mu_);
  ARCA_TRY(drain_locked());
  return deps_.inner.prune_through(seq);
}

}  // namespace arca::store
