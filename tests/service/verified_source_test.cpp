// VerifiedSource over the real stores: a plain store's bytes are checked against the index
// digest; an encrypted store's are authenticated by GCM as they are read (docs/adr/0018), and
// `arca check` (Verify::kDigest) still hashes them.
#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "crypto/system_random.h"
#include "service/retrieve_service.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/testing/memory_blob_store.h"
#include "store/testing/memory_key_vault.h"

namespace arca::service {
namespace {

class VerifiedSourceTest : public ::testing::Test {
 protected:
  VerifiedSourceTest() {
    crypto::StaticKeyProvider provider(root_.clone());
    keys_ = store::KeyHierarchy::create(provider, vault_, random_).value();
    encrypted_ = std::make_unique<store::EncryptedBlobStore>(inner_, *keys_, random_);
    scope_ = {tenant_, keys_->patient_ref(tenant_, "HOSP", "ALICE-0001")};
  }

  // Stores `data` (200 KB: four 64 KiB segments) and returns the index record of it.
  store::StoredInstance put(store::BlobStore& blobs, ByteView data) {
    store::StoredInstance row;
    row.blob = store::BlobId(random_.hex(16));
    row.size = data.size();
    row.sha256 = to_hex(crypto::sha256(data));
    auto w = blobs.create(row.blob, scope_).value();
    EXPECT_TRUE(w->write(data).ok());
    EXPECT_TRUE(w->commit().ok());
    return row;
  }

  // Everything the source yields, and its error if it fails.
  std::pair<Bytes, Result<void>> drain(store::BlobStore& blobs, const store::StoredInstance& row,
                                       Verify verify = Verify::kAuthenticatedOrDigest) {
    VerifiedSource source(blobs.open(row.blob).value(), row, verify);
    Bytes out;
    Bytes buffer(50'000);
    for (;;) {
      auto n = source.read(buffer);
      if (!n.ok())
        return {out, std::move(n).error()};
      if (*n == 0)
        return {out, ok()};
      out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  }

  crypto::SystemRandom random_;
  SecretBytes root_{random_.bytes(32)};
  store::MemoryKeyVault vault_;
  store::MemoryBlobStore inner_;
  std::unique_ptr<store::KeyHierarchy> keys_;
  std::unique_ptr<store::EncryptedBlobStore> encrypted_;
  const TenantId tenant_{"st-mary"};
  store::BlobScope scope_;
  const Bytes data_ = random_.bytes(200'000);
};

TEST_F(VerifiedSourceTest, PlainStoreIsCheckedAgainstTheIndexDigest) {
  store::StoredInstance row = put(inner_, data_);
  EXPECT_FALSE(inner_.open(row.blob).value()->authenticated());
  auto [bytes, done] = drain(inner_, row);
  EXPECT_TRUE(done.ok());
  EXPECT_EQ(bytes, data_);

  (*inner_.raw(row.blob))[123'456] ^= 1;
  auto [damaged, failed] = drain(inner_, row);
  EXPECT_EQ(damaged.size(), data_.size());  // served, then refused at the end
  EXPECT_EQ(failed.error().code, ErrorCode::kIntegrity);
}

TEST_F(VerifiedSourceTest, EncryptedStoreIsAuthenticatedSegmentBySegment) {
  store::StoredInstance row = put(*encrypted_, data_);
  EXPECT_TRUE(encrypted_->open(row.blob).value()->authenticated());
  auto [bytes, done] = drain(*encrypted_, row);
  EXPECT_TRUE(done.ok());
  EXPECT_EQ(bytes, data_);

  // A flipped ciphertext byte in the third segment: the first two segments go out, nothing of
  // the damaged one does.
  Bytes& stored = *inner_.raw(row.blob);
  stored[stored.size() - 40'000] ^= 1;
  auto [damaged, failed] = drain(*encrypted_, row);
  EXPECT_EQ(failed.error().code, ErrorCode::kIntegrity);
  EXPECT_LE(damaged.size(), 2u * 64 * 1024);
  EXPECT_TRUE(std::equal(damaged.begin(), damaged.end(), data_.begin()));
}

TEST_F(VerifiedSourceTest, EncryptedBlobOfAnotherSizeThanRecordedFailsBeforeAnyByte) {
  store::StoredInstance row = put(*encrypted_, data_);
  row.size += 1;
  auto [bytes, failed] = drain(*encrypted_, row);
  EXPECT_TRUE(bytes.empty());
  EXPECT_EQ(failed.error().code, ErrorCode::kIntegrity);
}

TEST_F(VerifiedSourceTest, DigestModeHashesEvenAuthenticatedBlobs) {
  store::StoredInstance row = put(*encrypted_, data_);
  row.sha256 = to_hex(crypto::sha256(random_.bytes(8)));  // an index that disagrees
  EXPECT_TRUE(drain(*encrypted_, row).second.ok());       // a transfer relies on GCM
  auto [bytes, failed] = drain(*encrypted_, row, Verify::kDigest);
  EXPECT_EQ(bytes.size(), data_.size());
  EXPECT_EQ(failed.error().code, ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace arca::service
