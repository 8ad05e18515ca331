// LayeredBlobStore: new blobs go to a primary store while blobs an older version stored in a
// legacy store stay readable (docs/adr/0015: packs over the FsBlobStore files of an archive
// written before packs). Reads, removes and listings look in both; create() refuses an id either
// holds; remove_incomplete() sweeps both. Nothing is moved between the two.
// Thread-safe if both stores are (every BlobStore is); borrows both, which must outlive it.
#pragma once

#include "store/blob_store.h"

namespace arca::store {

class LayeredBlobStore final : public BlobStore {
 public:
  LayeredBlobStore(BlobStore& primary, BlobStore& legacy) : primary_(primary), legacy_(legacy) {}

  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override;
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override;
  Result<void> remove(const BlobId& id) override;
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override;
  Result<std::uint64_t> remove_incomplete() override;

 private:
  BlobStore& primary_;
  BlobStore& legacy_;
};

}  // namespace arca::store
