// Internal to store/sqlite: a fixed set of read-only connections handed out one per reader.
// WAL lets each reader see the last committed state while the writer works.
// Thread-safety: thread-safe. A lease is used by one thread and returned when destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Connection> conn)
        : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_)
        pool_->give_back(std::move(conn_));
    }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  ReaderPool(std::vector<std::unique_ptr<Connection>> conns, std::chrono::milliseconds wait)
      : free_(std::move(conns)), wait_(wait) {}

  // Waits up to the pool's timeout for a free connection (kUnavailable after it), e.g. when
  // more visitors nest inside for_each_instance than there are connections.
  Result<Lease> acquire() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, wait_, [&] { return !free_.empty(); }))
      return make_error(ErrorCode::kUnavailable, "no free index reader connection");
    auto conn = std::move(free_.back());
    free_.pop_back();
    return Lease(*this, std::move(conn));
  }

 private:
  void give_back(std::unique_ptr<Connection> conn) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> free_;
  std::chrono::milliseconds wait_;
};

}  // namespace arca::store::sqlite
