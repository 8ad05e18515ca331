// Server-internal (used by server.cpp only): the live connections, their I/O deadlines and
// their sockets, so one watchdog thread can enforce timeouts for both asynchronous and blocking
// I/O, max_connections can be counted, and stop() can close connections.
//
// A deadline is enforced by shutting the socket down: SHUT_RD for a read (the server can still
// write a 408), SHUT_RDWR for a write. The fd is only touched under the table's mutex and a
// connection leaves the table before its socket is closed, so a reused fd is never hit.
// Thread-safety: all members are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stop_token>
#include <vector>

namespace arca::http {

enum class Phase { kRead, kWrite };

class ConnectionWatch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit ConnectionWatch(int fd) : fd_(fd) {}

  void arm(Phase phase, TimePoint deadline) {
    phase_.store(phase);
    deadline_.store(deadline.time_since_epoch().count());
  }
  void disarm() { deadline_.store(0); }
  bool timed_out() const { return timed_out_.load(); }
  void clear_timeout() { timed_out_.store(false); }
  // Idle: waiting for a handshake or the next request; stop() closes idle connections first.
  void set_idle(bool idle) { idle_.store(idle); }

 private:
  friend class ConnectionTable;
  const int fd_;
  std::atomic<TimePoint::rep> deadline_{0};
  std::atomic<Phase> phase_{Phase::kRead};
  std::atomic<bool> timed_out_{false};
  std::atomic<bool> idle_{true};
};

class ConnectionTable {
 public:
  // False (and not added) when `max` connections are already live or the server is stopping.
  bool add(ConnectionWatch& c, std::size_t max);
  void remove(ConnectionWatch& c);
  std::size_t size() const;

  // The watchdog loop: expires due deadlines until stop is requested.
  void watch(std::stop_token stop);

  // Marks the table stopping and closes idle connections.
  void begin_stop();
  bool stopping() const { return stopping_.load(); }
  void shutdown_all();
  // Waits until no connection is left; false on timeout.
  bool wait_empty(std::chrono::milliseconds timeout);

 private:
  void expire_due();

  mutable std::mutex mu_;
  std::condition_variable_any changed_;
  std::vector<ConnectionWatch*> live_;
  std::atomic<bool> stopping_{false};
};

}  // namespace arca::http
