#include "core/worker_pool.h"

namespace arca {

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool WorkerPool::try_run(std::function<void()> task) {
  std::unique_lock lock(mu_);
  if (stopping_)
    return false;
  if (idle_ > tasks_.size()) {
    tasks_.push_back(std::move(task));
    lock.unlock();
    cv_.notify_one();
    return true;
  }
  if (threads_.size() >= max_threads_)
    return false;
  // A new worker takes the task as soon as it starts (it is counted neither idle nor busy).
  tasks_.push_back(std::move(task));
  threads_.emplace_back([this] { work(); });
  return true;
}

std::size_t WorkerPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

void WorkerPool::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (tasks_.empty()) {
      ++idle_;
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      --idle_;
    }
    if (tasks_.empty())
      return;  // stopping, nothing left
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace arca
