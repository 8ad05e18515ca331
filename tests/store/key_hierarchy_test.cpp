#include "store/encrypted/key_hierarchy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crypto/system_random.h"
#include "store/testing/memory_key_vault.h"

namespace arca::store {
namespace {

// Counts vault reads, to show the cache keeps ingest away from the vault.
class CountingVault final : public KeyVault {
 public:
  explicit CountingVault(KeyVault& inner) : inner_(inner) {}
  Result<std::optional<Bytes>> get(const VaultKeyId& id) override {
    ++gets;
    return inner_.get(id);
  }
  Result<Bytes> put_if_absent(const VaultKeyId& id, ByteView wrapped) override {
    return inner_.put_if_absent(id, wrapped);
  }
  Result<void> destroy(const VaultKeyId& id) override { return inner_.destroy(id); }
  std::atomic<int> gets{0};

 private:
  KeyVault& inner_;
};

class KeyHierarchyTest : public ::testing::Test {
 protected:
  std::unique_ptr<KeyHierarchy> make(const SecretBytes& root, KeyVault& vault,
                                     KeyHierarchyOptions options = {}) {
    crypto::StaticKeyProvider provider(root.clone());
    return KeyHierarchy::create(provider, vault, random_, options).value();
  }

  crypto::SystemRandom random_;
  SecretBytes root_{random_.bytes(32)};
  MemoryKeyVault vault_;
  const TenantId tenant_a_{"hospital-a"};
  const TenantId tenant_b_{"hospital-b"};
};

TEST_F(KeyHierarchyTest, PatientRefsAreStableOpaqueAndDistinct) {
  auto h1 = make(root_, vault_);
  auto h2 = make(root_, vault_);
  PatientRef a = h1->patient_ref(tenant_a_, "ISSUER", "PID-1234");
  EXPECT_EQ(a, h2->patient_ref(tenant_a_, "ISSUER", "PID-1234"));
  EXPECT_EQ(a.str().size(), 64u);
  EXPECT_EQ(a.str().find("PID"), std::string::npos);
  EXPECT_NE(a, h1->patient_ref(tenant_b_, "ISSUER", "PID-1234"));
  EXPECT_NE(a, h1->patient_ref(tenant_a_, "OTHER", "PID-1234"));
  EXPECT_NE(a, h1->patient_ref(tenant_a_, "ISSUER", "PID-1235"));
  // Length prefixes keep field boundaries: ("AB", "C") is not ("A", "BC").
  EXPECT_NE(h1->patient_ref(tenant_a_, "AB", "C"), h1->patient_ref(tenant_a_, "A", "BC"));
  // Another root key gives unrelated refs.
  auto other = make(SecretBytes(random_.bytes(32)), vault_);
  EXPECT_NE(a, other->patient_ref(tenant_a_, "ISSUER", "PID-1234"));
}

TEST_F(KeyHierarchyTest, KeysPersistInTheVaultAndReloadWithTheSameRoot) {
  auto h1 = make(root_, vault_);
  BlobScope scope{tenant_a_, h1->patient_ref(tenant_a_, "I", "P1")};
  EXPECT_EQ(h1->patient_key(scope, CreateIfMissing::kNo).error().code, ErrorCode::kNotFound);
  auto key = h1->patient_key(scope, CreateIfMissing::kYes).value();
  EXPECT_EQ(key.reveal().size(), 32u);
  EXPECT_EQ(vault_.size(), 2u);  // tenant key + patient key
  EXPECT_EQ(h1->patient_key(scope, CreateIfMissing::kYes).value().reveal(), key.reveal());

  auto fresh = make(root_, vault_);
  EXPECT_EQ(fresh->patient_key(scope, CreateIfMissing::kNo).value().reveal(), key.reveal());
  EXPECT_EQ(fresh->patient_key_by_id(h1->patient_key_id(scope)).value().reveal(), key.reveal());
  EXPECT_EQ(vault_.size(), 2u);

  // A second patient of the same tenant shares the tenant key.
  BlobScope other{tenant_a_, h1->patient_ref(tenant_a_, "I", "P2")};
  EXPECT_NE(h1->patient_key(other, CreateIfMissing::kYes).value().reveal(), key.reveal());
  EXPECT_EQ(vault_.size(), 3u);
}

TEST_F(KeyHierarchyTest, VaultIdsCarryNoNames) {
  auto h = make(root_, vault_);
  BlobScope scope{tenant_a_, h->patient_ref(tenant_a_, "I", "P1")};
  std::string id = h->patient_key_id(scope).str();
  EXPECT_TRUE(id.starts_with("patient:"));
  EXPECT_EQ(id.find("hospital"), std::string::npos);
  EXPECT_EQ(id.size(), 8 + 64 + 1 + 64u);
}

TEST_F(KeyHierarchyTest, WrongRootKeyFailsCleanly) {
  auto h1 = make(root_, vault_);
  BlobScope scope{tenant_a_, h1->patient_ref(tenant_a_, "I", "P1")};
  ASSERT_TRUE(h1->patient_key(scope, CreateIfMissing::kYes).ok());
  auto wrong = make(SecretBytes(random_.bytes(32)), vault_);
  auto r = wrong->patient_key_by_id(h1->patient_key_id(scope));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(r.error().message.find("wrong root key"), std::string::npos);
}

TEST_F(KeyHierarchyTest, EraseShredsThePatientKeyOnly) {
  auto h = make(root_, vault_);
  BlobScope p1{tenant_a_, h->patient_ref(tenant_a_, "I", "P1")};
  BlobScope p2{tenant_a_, h->patient_ref(tenant_a_, "I", "P2")};
  ASSERT_TRUE(h->patient_key(p1, CreateIfMissing::kYes).ok());
  auto k2 = h->patient_key(p2, CreateIfMissing::kYes).value();
  ASSERT_TRUE(h->erase_patient(tenant_a_, p1.patient).ok());
  EXPECT_EQ(h->patient_key(p1, CreateIfMissing::kNo).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(h->patient_key_by_id(h->patient_key_id(p1)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(h->patient_key(p2, CreateIfMissing::kNo).value().reveal(), k2.reveal());
  EXPECT_EQ(h->erase_patient(tenant_a_, p1.patient).error().code, ErrorCode::kNotFound);
}

TEST_F(KeyHierarchyTest, CacheAvoidsTheVault) {
  CountingVault counting(vault_);
  auto h = make(root_, counting, KeyHierarchyOptions{2});
  BlobScope p1{tenant_a_, h->patient_ref(tenant_a_, "I", "P1")};
  ASSERT_TRUE(h->patient_key(p1, CreateIfMissing::kYes).ok());
  int after_create = counting.gets;
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(h->patient_key(p1, CreateIfMissing::kYes).ok());
  EXPECT_EQ(counting.gets, after_create);

  // Capacity 2: touching two other patients evicts P1, which then comes from the vault again.
  for (auto id : {"P2", "P3"})
    ASSERT_TRUE(
        h->patient_key({tenant_a_, h->patient_ref(tenant_a_, "I", id)}, CreateIfMissing::kYes)
            .ok());
  int before = counting.gets;
  ASSERT_TRUE(h->patient_key(p1, CreateIfMissing::kNo).ok());
  EXPECT_GT(counting.gets, before);
}

TEST_F(KeyHierarchyTest, ConcurrentCreatorsAgreeOnOneKey) {
  auto h1 = make(root_, vault_);
  auto h2 = make(root_, vault_);
  BlobScope scope{tenant_a_, h1->patient_ref(tenant_a_, "I", "P1")};
  Bytes k1, k2;
  std::thread t1([&] { k1 = h1->patient_key(scope, CreateIfMissing::kYes).value().reveal(); });
  std::thread t2([&] { k2 = h2->patient_key(scope, CreateIfMissing::kYes).value().reveal(); });
  t1.join();
  t2.join();
  EXPECT_EQ(k1, k2);
}

TEST_F(KeyHierarchyTest, RejectsMalformedScopesAndIds) {
  auto h = make(root_, vault_);
  EXPECT_EQ(
      h->patient_key({TenantId(""), h->patient_ref(tenant_a_, "I", "P")}, CreateIfMissing::kYes)
          .error()
          .code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(h->patient_key({tenant_a_, PatientRef("John Doe")}, CreateIfMissing::kYes).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(h->patient_key_by_id(VaultKeyId("tenant:abc")).error().code, ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace arca::store
