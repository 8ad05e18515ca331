// An in-memory BlobStore for tests, following the BlobStore contract (a blob is visible only
// after commit). Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "store/blob_store.h"

namespace arca::store {

class MemoryBlobStore final : public BlobStore {
 public:
  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override;
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override;
  Result<void> remove(const BlobId& id) override;
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override;
  Result<std::uint64_t> remove_incomplete() override { return std::uint64_t{0}; }

  // Direct access for tests that tamper with stored bytes.
  Bytes* raw(const BlobId& id);

 private:
  friend class MemoryBlobWriter;
  Result<void> put(const BlobId& id, Bytes bytes);

  std::mutex mu_;
  std::map<BlobId, Bytes> blobs_;
};

}  // namespace arca::store
