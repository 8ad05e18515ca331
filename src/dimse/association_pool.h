// Internal to dimse/: the bounded pool of threads that serve associations. Each accepted socket
// is queued for the next free worker; when every worker is busy and the queue is full the
// socket is closed at once (the peer sees a refused connection rather than a hang). While a
// worker serves a socket the pool tracks it, so stop() can shut every open connection down and
// the workers return promptly.
// Thread-safety: submit() and stop() are thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "dimse/tcp_listener.h"

namespace arca::dimse {

class AssociationPool {
 public:
  using Handler = std::function<void(const AcceptedSocket&)>;

  // The handler serves one socket; the pool closes the socket after it returns.
  AssociationPool(std::size_t workers, std::size_t max_queued, Handler handler);
  ~AssociationPool();
  AssociationPool(const AssociationPool&) = delete;
  AssociationPool& operator=(const AssociationPool&) = delete;

  // Takes ownership of the socket; false (socket closed) when the pool is full or stopping.
  bool submit(AcceptedSocket socket);
  void stop();

 private:
  void run(const std::stop_token& stop);

  std::size_t max_queued_;
  Handler handler_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<AcceptedSocket> queue_;
  std::set<int> active_;
  bool stopping_ = false;
  std::vector<std::jthread> workers_;  // last member: started after the others exist
};

}  // namespace arca::dimse
