// A BlobStore decorator that injects faults, after LevelDB's fault_injection_test: a full disk
// (writes fail with kOutOfSpace once a byte budget is spent), failing commits or syncs, failing
// reads.
// Used by crash and disk-full tests of ingest. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "store/blob_store.h"

namespace arca::store {

class FaultInjectingBlobStore final : public BlobStore {
 public:
  explicit FaultInjectingBlobStore(BlobStore& inner) : inner_(inner) {}

  // Writes fail with kOutOfSpace once this many more bytes have been written (across writers).
  void set_space_left(std::int64_t bytes) { space_left_ = bytes; }
  void set_unlimited_space() { space_left_ = kUnlimited; }
  void fail_commits(bool on) { fail_commits_ = on; }
  // The second step of a two-step commit fails (BlobWriter::sync), after the blob is visible.
  void fail_syncs(bool on) { fail_syncs_ = on; }
  void fail_reads(bool on) { fail_reads_ = on; }
  std::uint64_t commits() const { return commits_; }

  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override;
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override;
  Result<void> remove(const BlobId& id) override { return inner_.remove(id); }
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override {
    return inner_.list(visit);
  }
  Result<std::uint64_t> remove_incomplete() override { return inner_.remove_incomplete(); }

 private:
  friend class FaultyWriter;
  friend class FaultyReader;
  static constexpr std::int64_t kUnlimited = INT64_MAX;

  BlobStore& inner_;
  std::atomic<std::int64_t> space_left_{kUnlimited};
  std::atomic<bool> fail_commits_{false};
  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> fail_reads_{false};
  std::atomic<std::uint64_t> commits_{0};
};

}  // namespace arca::store
