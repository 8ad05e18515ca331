#include "dimse/association_pool.h"

#include <sys/socket.h>
#include <unistd.h>

namespace arca::dimse {

AssociationPool::AssociationPool(std::size_t workers, std::size_t max_queued, Handler handler)
    : max_queued_(max_queued), handler_(std::move(handler)) {
  for (std::size_t i = 0; i < workers; ++i)
    workers_.emplace_back([this](const std::stop_token& stop) { run(stop); });
}

AssociationPool::~AssociationPool() {
  stop();
}

bool AssociationPool::submit(AcceptedSocket socket) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_ && queue_.size() < max_queued_) {
      queue_.push_back(std::move(socket));
      cv_.notify_one();
      return true;
    }
  }
  ::close(socket.fd);
  return false;
}

void AssociationPool::stop() {
  std::deque<AcceptedSocket> dropped;
  {
    std::lock_guard lock(mu_);
    if (stopping_)
      return;
    stopping_ = true;
    dropped.swap(queue_);
    // Wake workers blocked reading from their peers; they then unwind and return.
    for (int fd : active_)
      ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& s : dropped)
    ::close(s.fd);
  for (auto& w : workers_)
    w.request_stop();
  cv_.notify_all();
  workers_.clear();  // joins
}

void AssociationPool::run(const std::stop_token& stop) {
  for (;;) {
    AcceptedSocket socket;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait(lock, stop, [&] { return !queue_.empty(); }))
        return;
      socket = std::move(queue_.front());
      queue_.pop_front();
      active_.insert(socket.fd);
    }
    handler_(socket);
    {
      std::lock_guard lock(mu_);
      active_.erase(socket.fd);
    }
    ::close(socket.fd);
  }
}

}  // namespace arca::dimse
