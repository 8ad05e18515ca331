#include "store/testing/fault_injecting_blob_store.h"

namespace arca::store {

class FaultyWriter final : public BlobWriter {
 public:
  FaultyWriter(FaultInjectingBlobStore& store, std::unique_ptr<BlobWriter> inner)
      : store_(store), inner_(std::move(inner)) {}

  Result<void> write(ByteView data) override {
    auto size = static_cast<std::int64_t>(data.size());
    if (store_.space_left_.fetch_sub(size) < size) {
      store_.space_left_ = 0;
      return make_error(ErrorCode::kOutOfSpace, "write blob: No space left on device (injected)");
    }
    return inner_->write(data);
  }

  Result<void> commit() override {
    if (store_.fail_commits_)
      return make_error(ErrorCode::kIo, "commit blob: injected failure");
    ARCA_TRY(inner_->commit());
    ++store_.commits_;
    return ok();
  }
  Result<void> commit_unsynced() override {
    if (store_.fail_commits_)
      return make_error(ErrorCode::kIo, "commit blob: injected failure");
    return inner_->commit_unsynced();
  }
  Result<void> sync() override {
    if (store_.fail_syncs_)
      return make_error(ErrorCode::kIo, "sync blob: injected failure");
    ARCA_TRY(inner_->sync());
    ++store_.commits_;
    return ok();
  }

 private:
  FaultInjectingBlobStore& store_;
  std::unique_ptr<BlobWriter> inner_;
};

class FaultyReader final : public BlobReader {
 public:
  FaultyReader(FaultInjectingBlobStore& store, std::unique_ptr<BlobReader> inner)
      : store_(store), inner_(std::move(inner)) {}
  std::uint64_t size() const override { return inner_->size(); }
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out) override {
    if (store_.fail_reads_)
      return make_error(ErrorCode::kIo, "read blob: injected failure");
    return inner_->read_at(offset, out);
  }

 private:
  FaultInjectingBlobStore& store_;
  std::unique_ptr<BlobReader> inner_;
};

Result<std::unique_ptr<BlobWriter>> FaultInjectingBlobStore::create(const BlobId& id,
                                                                    const BlobScope& scope) {
  auto inner = ARCA_TRY(inner_.create(id, scope));
  return std::unique_ptr<BlobWriter>(std::make_unique<FaultyWriter>(*this, std::move(inner)));
}

Result<std::unique_ptr<BlobReader>> FaultInjectingBlobStore::open(const BlobId& id) {
  if (fail_reads_)
    return make_error(ErrorCode::kIo, "open blob: injected failure");
  auto inner = ARCA_TRY(inner_.open(id));
  return std::unique_ptr<BlobReader>(std::make_unique<FaultyReader>(*this, std::move(inner)));
}

}  // namespace arca::store
