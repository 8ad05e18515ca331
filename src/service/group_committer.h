// GroupCommitter: makes many concurrent ingests share one index transaction (and so one fsync
// of the index), as DESIGN §1 asks. Callers block in commit() until their row is durable or
// has failed; a dedicated thread takes whatever is queued (up to max_batch) and commits it as
// one transaction. If the batch transaction fails, each member is retried alone so one bad
// instance cannot fail the others. Blobs that a commit leaves unreferenced (a duplicate that
// raced, a replaced object) are removed by the committer.
// Thread-safety: commit() is thread-safe. The destructor drains the queue and stops the thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "core/logger.h"
#include "store/index.h"

namespace arca::service {

class GroupCommitter {
 public:
  GroupCommitter(store::Index& index, store::BlobStore& blobs, Logger& logger,
                 std::size_t max_batch);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  Result<store::PutResult> commit(store::StoredInstance instance, store::ConflictPolicy policy);

  // Number of index transactions committed so far (for tests and metrics).
  std::uint64_t transactions() const;

 private:
  struct Pending {
    store::StoredInstance instance;
    store::ConflictPolicy policy;
    std::promise<Result<store::PutResult>> done;
  };

  void run(const std::stop_token& stop);
  void commit_batch(std::vector<Pending*>& batch);
  Result<std::vector<store::PutResult>> try_commit(const std::vector<Pending*>& batch);
  void release_unreferenced(const Pending& pending, const store::PutResult& result);

  store::Index& index_;
  store::BlobStore& blobs_;
  Logger& logger_;
  std::size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<Pending*> queue_;
  std::uint64_t transactions_ = 0;
  std::jthread thread_;  // last member: starts after the others are initialised
};

}  // namespace arca::service
