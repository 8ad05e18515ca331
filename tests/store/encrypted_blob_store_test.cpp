#include "store/encrypted/encrypted_blob_store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "crypto/system_random.h"
#include "store/testing/fault_injecting_blob_store.h"
#include "store/testing/memory_blob_store.h"
#include "store/testing/memory_key_vault.h"

namespace arca::store {
namespace {

class EncryptedBlobStoreTest : public ::testing::Test {
 protected:
  EncryptedBlobStoreTest() {
    crypto::StaticKeyProvider provider(root_.clone());
    keys_ = KeyHierarchy::create(provider, vault_, random_).value();
    store_ = std::make_unique<EncryptedBlobStore>(inner_, *keys_, random_);
    alice_ = {tenant_, keys_->patient_ref(tenant_, "HOSP", "ALICE-0001")};
    bob_ = {tenant_, keys_->patient_ref(tenant_, "HOSP", "BOB-0002")};
  }

  BlobId new_id() { return BlobId(random_.hex(16)); }

  Result<void> put(BlobStore& store, const BlobId& id, const BlobScope& scope, ByteView data) {
    auto w = ARCA_TRY(store.create(id, scope));
    ARCA_TRY(w->write(data));
    return w->commit();
  }

  Result<Bytes> get(BlobStore& store, const BlobId& id) {
    auto r = ARCA_TRY(store.open(id));
    BlobSource src(*r);
    return read_all(src, 1 << 30);
  }

  crypto::SystemRandom random_;
  SecretBytes root_{random_.bytes(32)};
  MemoryKeyVault vault_;
  MemoryBlobStore inner_;
  std::unique_ptr<KeyHierarchy> keys_;
  std::unique_ptr<EncryptedBlobStore> store_;
  const TenantId tenant_{"st-mary"};
  BlobScope alice_, bob_;
};

TEST_F(EncryptedBlobStoreTest, RoundTripsAndReportsPlaintextSize) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{200'000}}) {
    Bytes data = random_.bytes(size);
    BlobId id = new_id();
    ASSERT_TRUE(put(*store_, id, alice_, data).ok());
    auto reader = store_->open(id).value();
    EXPECT_EQ(reader->size(), size);
    EXPECT_EQ(get(*store_, id).value(), data);
    EXPECT_GT(inner_.raw(id)->size(), size);
  }
}

TEST_F(EncryptedBlobStoreTest, FollowsTheBlobStoreContract) {
  BlobId id = new_id();
  auto w = store_->create(id, alice_).value();
  ASSERT_TRUE(w->write(as_bytes("hello")).ok());
  EXPECT_EQ(store_->open(id).error().code, ErrorCode::kNotFound);  // not visible before commit
  int listed = 0;
  ASSERT_TRUE(store_
                  ->list([&](const BlobInfo&) -> Result<void> {
                    ++listed;
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(listed, 0);
  ASSERT_TRUE(w->commit().ok());
  EXPECT_EQ(get(*store_, id).value(), Bytes({'h', 'e', 'l', 'l', 'o'}));

  EXPECT_EQ(store_->create(id, alice_).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->open(new_id()).error().code, ErrorCode::kNotFound);

  std::vector<BlobId> ids;
  ASSERT_TRUE(store_
                  ->list([&](const BlobInfo& info) -> Result<void> {
                    ids.push_back(info.id);
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(ids, std::vector<BlobId>{id});

  ASSERT_TRUE(store_->remove(id).ok());
  EXPECT_EQ(store_->open(id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->remove(id).error().code, ErrorCode::kNotFound);

  {
    auto abandoned = store_->create(id, alice_).value();
    ASSERT_TRUE(abandoned->write(as_bytes("never committed")).ok());
  }
  EXPECT_EQ(store_->open(id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->create(BlobId("not-hex"), alice_).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(EncryptedBlobStoreTest, StoresNoPlaintext) {
  const std::string marker = "DOE^JANE^PATIENT-ID-98765";
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += marker;
  BlobId id = new_id();
  ASSERT_TRUE(put(*store_, id, alice_, as_bytes(text)).ok());
  std::string raw(as_chars(*inner_.raw(id)));
  for (std::string needle : {std::string("DOE^JANE"), std::string("98765"), tenant_.str(),
                             std::string("ALICE"), std::string("HOSP")})
    EXPECT_EQ(raw.find(needle), std::string::npos) << needle;
  for (const auto& id_and_key : {keys_->patient_key_id(alice_)})
    EXPECT_EQ(id_and_key.str().find(tenant_.str()), std::string::npos);
}

TEST_F(EncryptedBlobStoreTest, ErasingAPatientShredsOnlyTheirBlobs) {
  BlobId a = new_id(), b = new_id();
  ASSERT_TRUE(put(*store_, a, alice_, as_bytes("alice's study")).ok());
  ASSERT_TRUE(put(*store_, b, bob_, as_bytes("bob's study")).ok());
  Bytes copy_of_a = *inner_.raw(a);  // a backup taken before the erase

  ASSERT_TRUE(keys_->erase_patient(alice_.tenant, alice_.patient).ok());
  auto r = store_->open(a);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("patient key erased"), std::string::npos);
  EXPECT_EQ(get(*store_, b).value(),
            Bytes(as_bytes("bob's study").begin(), as_bytes("bob's study").end()));

  // The backup copy, restored elsewhere with the same root key and vault, stays unreadable.
  MemoryBlobStore restored;
  ASSERT_TRUE(put(restored, a, alice_, copy_of_a).ok());
  EncryptedBlobStore restored_view(restored, *keys_, random_);
  EXPECT_EQ(restored_view.open(a).error().code, ErrorCode::kNotFound);
}

TEST_F(EncryptedBlobStoreTest, ReopensWithAFreshHierarchyOnTheSameRoot) {
  BlobId id = new_id();
  Bytes data = random_.bytes(100'000);
  ASSERT_TRUE(put(*store_, id, alice_, data).ok());
  crypto::StaticKeyProvider provider(root_.clone());
  auto fresh_keys = KeyHierarchy::create(provider, vault_, random_).value();
  EncryptedBlobStore fresh(inner_, *fresh_keys, random_);
  EXPECT_EQ(get(fresh, id).value(), data);

  crypto::StaticKeyProvider wrong(SecretBytes(random_.bytes(32)));
  auto wrong_keys = KeyHierarchy::create(wrong, vault_, random_).value();
  EncryptedBlobStore wrong_store(inner_, *wrong_keys, random_);
  EXPECT_EQ(wrong_store.open(id).error().code, ErrorCode::kIntegrity);
}

TEST_F(EncryptedBlobStoreTest, TamperingIsAnIntegrityErrorWithoutPhi) {
  BlobId id = new_id();
  ASSERT_TRUE(put(*store_, id, alice_, random_.bytes(3 * 65536 + 5)).ok());
  const Bytes original = *inner_.raw(id);
  for (std::size_t at : {std::size_t{3}, std::size_t{30}, std::size_t{200}, std::size_t{300},
                         std::size_t{70'000}, original.size() - 1}) {
    *inner_.raw(id) = original;
    (*inner_.raw(id))[at] ^= 0x10;
    auto bytes = get(*store_, id);
    ASSERT_FALSE(bytes.ok()) << at;
    EXPECT_TRUE(bytes.error().code == ErrorCode::kIntegrity ||
                bytes.error().code == ErrorCode::kNotFound)
        << at << ": " << bytes.error().to_string();
    EXPECT_EQ(bytes.error().message.find(tenant_.str()), std::string::npos);
  }
  *inner_.raw(id) = original;
  inner_.raw(id)->push_back(0);
  EXPECT_EQ(store_->open(id).error().code, ErrorCode::kIntegrity);
}

TEST_F(EncryptedBlobStoreTest, SwappedBlobFilesAreDetected) {
  BlobId a = new_id(), b = new_id();
  ASSERT_TRUE(put(*store_, a, alice_, as_bytes("first")).ok());
  ASSERT_TRUE(put(*store_, b, alice_, as_bytes("second")).ok());
  std::swap(*inner_.raw(a), *inner_.raw(b));
  EXPECT_EQ(store_->open(a).error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(store_->open(b).error().code, ErrorCode::kIntegrity);
}

TEST_F(EncryptedBlobStoreTest, RangeReadsMatchThePlaintext) {
  Bytes data = random_.bytes(5 * 65536 + 17);
  BlobId id = new_id();
  ASSERT_TRUE(put(*store_, id, bob_, data).ok());
  auto reader = store_->open(id).value();
  for (std::uint64_t offset : {0ul, 65535ul, 65536ul, 131071ul, 5 * 65536ul + 10}) {
    Bytes out(70'000);
    std::size_t n = reader->read_at(offset, out).value();
    ASSERT_EQ(n, std::min<std::size_t>(out.size(), data.size() - offset));
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + n, data.begin() + offset));
  }
}

TEST_F(EncryptedBlobStoreTest, DiskFullLeavesNothingVisible) {
  FaultInjectingBlobStore faulty(inner_);
  EncryptedBlobStore store(faulty, *keys_, random_);
  faulty.set_space_left(100'000);
  BlobId id = new_id();
  auto r = put(store, id, alice_, random_.bytes(300'000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kOutOfSpace);
  EXPECT_EQ(store.open(id).error().code, ErrorCode::kNotFound);
  faulty.set_unlimited_space();
  faulty.fail_reads(true);
  EXPECT_EQ(store.open(id).error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace arca::store
