#include "http/connection_table.h"

#include <sys/socket.h>

#include <algorithm>

namespace arca::http {

bool ConnectionTable::add(ConnectionWatch& c, std::size_t max) {
  std::lock_guard lock(mu_);
  if (stopping_.load() || live_.size() >= max)
    return false;
  live_.push_back(&c);
  return true;
}

void ConnectionTable::remove(ConnectionWatch& c) {
  {
    std::lock_guard lock(mu_);
    std::erase(live_, &c);
  }
  changed_.notify_all();
}

std::size_t ConnectionTable::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

void ConnectionTable::expire_due() {
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::lock_guard lock(mu_);
  for (ConnectionWatch* c : live_) {
    auto deadline = c->deadline_.load();
    if (deadline == 0 || deadline > now)
      continue;
    c->deadline_.store(0);
    c->timed_out_.store(true);
    ::shutdown(c->fd_, c->phase_.load() == Phase::kWrite ? SHUT_RDWR : SHUT_RD);
  }
}

void ConnectionTable::watch(std::stop_token stop) {
  std::mutex sleep_mu;
  std::condition_variable_any sleeper;
  while (!stop.stop_requested()) {
    expire_due();
    std::unique_lock lock(sleep_mu);
    sleeper.wait_for(lock, stop, std::chrono::milliseconds(50), [] { return false; });
  }
}

void ConnectionTable::begin_stop() {
  std::lock_guard lock(mu_);
  stopping_.store(true);
  for (ConnectionWatch* c : live_) {
    if (c->idle_.load())
      ::shutdown(c->fd_, SHUT_RDWR);
  }
}

void ConnectionTable::shutdown_all() {
  std::lock_guard lock(mu_);
  for (ConnectionWatch* c : live_)
    ::shutdown(c->fd_, SHUT_RDWR);
}

bool ConnectionTable::wait_empty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return live_.empty(); });
}

}  // namespace arca::http
