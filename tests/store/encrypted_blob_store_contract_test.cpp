// The shared BlobStore contract suite (tests/store/blob_store_contract.h) run against
// EncryptedBlobStore over a MemoryBlobStore and over a PackBlobStore (as in production).
#include "crypto/system_random.h"
#include "store/blob_store_contract.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/fs/pack_blob_store.h"
#include "store/testing/memory_blob_store.h"
#include "store/testing/memory_key_vault.h"
#include "test_dir.h"

namespace arca::store {
namespace {

// The contract suite uses placeholder patient refs ("p1"); EncryptedBlobStore only accepts real
// (64-hex, keyed-hash) refs, so this adapter turns the placeholder into one.
class RealRefs final : public BlobStore {
 public:
  RealRefs(BlobStore& inner, const KeyHierarchy& keys) : inner_(inner), keys_(keys) {}
  Result<std::unique_ptr<BlobWriter>> create(const BlobId& id, const BlobScope& scope) override {
    return inner_.create(id,
                         {scope.tenant, keys_.patient_ref(scope.tenant, "", scope.patient.str())});
  }
  Result<std::unique_ptr<BlobReader>> open(const BlobId& id) override { return inner_.open(id); }
  Result<void> remove(const BlobId& id) override { return inner_.remove(id); }
  Result<void> list(const std::function<Result<void>(const BlobInfo&)>& visit) override {
    return inner_.list(visit);
  }
  Result<std::uint64_t> remove_incomplete() override { return inner_.remove_incomplete(); }

 private:
  BlobStore& inner_;
  const KeyHierarchy& keys_;
};

struct EncryptedFixture final : BlobStoreFixture {
  explicit EncryptedFixture(BlobStore* over = nullptr) {
    crypto::StaticKeyProvider provider(SecretBytes(random.bytes(32)));
    keys = KeyHierarchy::create(provider, vault, random).value();
    encrypted =
        std::make_unique<EncryptedBlobStore>(over != nullptr ? *over : memory, *keys, random);
    adapter = std::make_unique<RealRefs>(*encrypted, *keys);
  }
  BlobStore& store() override { return *adapter; }

  crypto::SystemRandom random;
  MemoryKeyVault vault;
  MemoryBlobStore memory;
  std::unique_ptr<KeyHierarchy> keys;
  std::unique_ptr<EncryptedBlobStore> encrypted;
  std::unique_ptr<RealRefs> adapter;
};

struct EncryptedPackFixture final : BlobStoreFixture {
  BlobStore& store() override { return encrypted.store(); }
  test::TempDir dir;
  std::unique_ptr<PackBlobStore> packs = PackBlobStore::open(dir.path() / "blobs").value();
  EncryptedFixture encrypted{packs.get()};
};

INSTANTIATE_TEST_SUITE_P(EncryptedPack, BlobStoreContract,
                         ::testing::Values([]() -> std::unique_ptr<BlobStoreFixture> {
                           return std::make_unique<EncryptedPackFixture>();
                         }));

INSTANTIATE_TEST_SUITE_P(Encrypted, BlobStoreContract,
                         ::testing::Values([]() -> std::unique_ptr<BlobStoreFixture> {
                           return std::make_unique<EncryptedFixture>();
                         }));

}  // namespace
}  // namespace arca::store
