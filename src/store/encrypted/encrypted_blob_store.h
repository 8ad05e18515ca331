// EncryptedBlobStore: the BlobStore decorator that encrypts everything it stores (STYLE rule 9,
// format in docs/formats/blob.md). create() makes a fresh random data key per blob, wraps it
// under the scope's patient key (created on first use) and streams header and sealed segments
// into the inner store's writer. open() reads the header, unwraps the data key with the patient
// key the header names, authenticates the final segment, and returns a reader whose size() is
// the plaintext size and whose read_at() decrypts only the segments a range touches.
// The blob id is bound into every segment and into the data key's wrap, so blob files cannot be
// swapped. Opening a blob whose patient key was erased fails with kNotFound ("patient key
// erased"); any tampering fails with kIntegrity. Errors name the opaque blob id, never PHI.
// Thread-safety: thread-safe (if the inner store is); writers and readers are used by one
// thread at a time.
#pragma once

#include "core/random.h"
#include "crypto/blob_header.h"
#include "store/blob_store.h"
#include "store/encrypted/key_hierarchy.h"

namespace arca::store {

struct EncryptedBlobStoreOptions {
  std::uint32_t segment_size = crypto::kDefaultSegmentSize;
};

class EncryptedBlobStore final : public BlobStore {
 public:
  // All three references must outlive the store.
  EncryptedBlobStore(BlobStore& inner, KeyHierarchy& keys, Random& random,
                     EncryptedBlobStoreOptions options = {})
      : inner_(inner), keys_(keys), random_(random), options_(options) {}

  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override;
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override;
  bool authenticates() const override { return true; }
  Result<void> remove(const BlobId& id) override { return inner_.remove(id); }
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override {
    return inner_.list(visit);
  }
  Result<std::uint64_t> remove_incomplete() override { return inner_.remove_incomplete(); }

 private:
  BlobStore& inner_;
  KeyHierarchy& keys_;
  Random& random_;
  EncryptedBlobStoreOptions options_;
};

}  // namespace arca::store
