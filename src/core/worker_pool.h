// WorkerPool: threads that take over work a caller overlaps with its own (IngestService syncs a
// blob to the disk while it commits the index, docs/adr/0023). try_run() hands a task over only
// to an idle worker, starting one while fewer than `max_threads` exist; otherwise it returns
// false and the caller runs the task itself, so no task ever waits behind another.
// Thread-safety: try_run() is thread-safe. The destructor waits for running tasks.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace arca {

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_threads) : max_threads_(max_threads) {}
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool try_run(std::function<void()> task);

  std::size_t threads() const;

 private:
  void work();

  const std::size_t max_threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // never more than idle_ + threads starting
  std::size_t idle_ = 0;                     // workers waiting for a task
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace arca
