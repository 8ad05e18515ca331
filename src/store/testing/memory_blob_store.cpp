#include "store/testing/memory_blob_store.h"

#include <algorithm>
#include <cstring>

namespace arca::store {

class MemoryBlobWriter final : public BlobWriter {
 public:
  MemoryBlobWriter(MemoryBlobStore& store, BlobId id) : store_(store), id_(std::move(id)) {}
  Result<void> write(ByteView data) override {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return ok();
  }
  Result<void> commit() override { return store_.put(id_, std::move(bytes_)); }

 private:
  MemoryBlobStore& store_;
  BlobId id_;
  Bytes bytes_;
};

namespace {

class MemoryBlobReader final : public BlobReader {
 public:
  explicit MemoryBlobReader(Bytes bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) override {
    if (offset >= bytes_.size())
      return std::size_t{0};
    std::size_t n = std::min<std::size_t>(out.size(), bytes_.size() - offset);
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }

 private:
  Bytes bytes_;
};

}  // namespace

Result<std::unique_ptr<BlobWriter>> MemoryBlobStore::create(const BlobId& id, const BlobScope&) {
  std::lock_guard lock(mu_);
  if (blobs_.count(id) != 0)
    return make_error(ErrorCode::kAlreadyExists, "blob exists");
  return std::unique_ptr<BlobWriter>(std::make_unique<MemoryBlobWriter>(*this, id));
}

Result<void> MemoryBlobStore::put(const BlobId& id, Bytes bytes) {
  std::lock_guard lock(mu_);
  if (!blobs_.try_emplace(id, std::move(bytes)).second) {
    return make_error(ErrorCode::kAlreadyExists, "blob exists");
  }
  return ok();
}

Result<std::unique_ptr<BlobReader>> MemoryBlobStore::open(const BlobId& id) {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(id);
  if (it == blobs_.end())
    return make_error(ErrorCode::kNotFound, "no such blob");
  return std::unique_ptr<BlobReader>(std::make_unique<MemoryBlobReader>(it->second));
}

Result<void> MemoryBlobStore::remove(const BlobId& id) {
  std::lock_guard lock(mu_);
  if (blobs_.erase(id) == 0)
    return make_error(ErrorCode::kNotFound, "no such blob");
  return ok();
}

Result<void> MemoryBlobStore::list(const std::function<Result<void>(const BlobInfo&)>& visit) {
  std::vector<BlobInfo> infos;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, bytes] : blobs_)
      infos.push_back(BlobInfo{id, Clock::TimePoint{}, bytes.size()});
  }
  for (const auto& info : infos)
    ARCA_TRY(visit(info));
  return ok();
}

Bytes* MemoryBlobStore::raw(const BlobId& id) {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(id);
  return it == blobs_.end() ? nullptr : &it->second;
}

}  // namespace arca::store
