// Ingest under an encrypted blob store, as Arca runs (docs/adr/0021): the index gets no digest,
// a re-sent SOP Instance UID is compared byte for byte with what is stored, and a store racing
// another store of the same UID is settled the same way.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "crypto/system_random.h"
#include "service/archive_maintenance.h"
#include "service_fixture.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/testing/memory_key_vault.h"

namespace arca::service {
namespace {

constexpr const char* kCtSop = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";

class EncryptedIngestTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    crypto::StaticKeyProvider provider(SecretBytes(system_random_.bytes(32)));
    keys_ = store::KeyHierarchy::create(provider, vault_, system_random_).value();
    encrypted_ = std::make_unique<store::EncryptedBlobStore>(faulty_, *keys_, system_random_);
    make_encrypted_services(store::ConflictPolicy::kKeepFirst);
  }

  void make_encrypted_services(
      store::ConflictPolicy policy,
      IngestOptions::Digest digest = IngestOptions::Digest::kUnlessAuthenticated) {
    retrieve_.reset();
    ingest_.reset();
    IngestOptions options;
    options.conflict_policy = policy;
    options.digest = digest;
    ingest_ = std::make_unique<IngestService>(
        IngestDeps{*encrypted_, *index_, refs_, audit_, random_, clock_, logger_}, options);
    retrieve_ = std::make_unique<RetrieveService>(
        RetrieveDeps{*encrypted_, *index_, audit_, clock_, logger_});
  }

  std::optional<store::StoredInstance> row(const char* sop = kCtSop) {
    return index_->find_instance(default_tenant(), InstanceUid(sop)).value();
  }

  Bytes read_back(const store::StoredInstance& r) {
    auto reader = encrypted_->open(r.blob).value();
    store::BlobSource source(*reader);
    return read_all(source, 64 << 20).value();
  }

  crypto::SystemRandom system_random_;
  store::MemoryKeyVault vault_;
  std::unique_ptr<store::KeyHierarchy> keys_;
  std::unique_ptr<store::EncryptedBlobStore> encrypted_;
};

TEST_F(EncryptedIngestTest, TheIndexGetsNoDigestAndTheBytesComeBackExactly) {
  Bytes ct = corpus_file("CT_small.dcm");
  auto stored = ingest_->store(operator_ctx(), ct);
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  EXPECT_EQ(stored->status, StoreStatus::kStored);
  auto r = row().value();
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(r.size, ct.size());
  EXPECT_NE(*memory_.raw(r.blob), ct);  // ciphertext at rest
  EXPECT_EQ(read_back(r), ct);
}

TEST_F(EncryptedIngestTest, APlainStoreStillGetsADigestUnlessTheBenchmarkSwitchSaysNever) {
  ServiceTest::make_services(store::ConflictPolicy::kKeepFirst);  // plain memory store
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  EXPECT_EQ(row()->sha256, to_hex(crypto::sha256(ct)));

  Bytes mr = corpus_file("MR_small.dcm");
  retrieve_.reset();
  ingest_ = std::make_unique<IngestService>(
      IngestDeps{faulty_, *index_, refs_, audit_, random_, clock_, logger_},
      IngestOptions{.digest = IngestOptions::Digest::kNever});
  auto stored = ingest_->store(operator_ctx(), mr).value();
  EXPECT_TRUE(row(stored.instance.str().c_str())->sha256.empty());
}

TEST_F(EncryptedIngestTest, SameBytesAgainIsANoOpFoundByComparingTheStoredObject) {
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  auto again = ingest_->store(operator_ctx(), ct);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->status, StoreStatus::kDuplicate);
  EXPECT_EQ(blob_count(), 1u);
  EXPECT_EQ(audit_.events.back().detail, "duplicate");
}

TEST_F(EncryptedIngestTest, DifferentBytesOfTheSameSizeConflictAndKeepTheFirst) {
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  for (std::size_t at : {ct.size() - 1, ct.size() - 20'000}) {
    Bytes changed = ct;
    changed[at] ^= 0x01;  // pixel data
    auto conflict = ingest_->store(operator_ctx(), changed);
    ASSERT_FALSE(conflict.ok()) << at;
    EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  }
  Bytes longer = ct;  // with Data Set Trailing Padding (FFFC,FFFC) OB of 2 bytes: another size
  const std::uint8_t padding[] = {0xFC, 0xFF, 0xFC, 0xFF, 'O', 'B', 0, 0, 2, 0, 0, 0, 0, 0};
  longer.insert(longer.end(), std::begin(padding), std::end(padding));
  EXPECT_EQ(ingest_->store(operator_ctx(), longer).error().code, ErrorCode::kConflict);
  EXPECT_EQ(blob_count(), 1u);
  EXPECT_EQ(read_back(row().value()), ct);
}

TEST_F(EncryptedIngestTest, ReplacePolicyReplacesAfterComparing) {
  make_encrypted_services(store::ConflictPolicy::kReplace);
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  EXPECT_EQ(ingest_->store(operator_ctx(), ct)->status, StoreStatus::kDuplicate);
  Bytes changed = ct;
  changed[changed.size() - 1] ^= 0x01;
  auto replaced = ingest_->store(operator_ctx(), changed);
  ASSERT_TRUE(replaced.ok()) << replaced.error().to_string();
  EXPECT_EQ(replaced->status, StoreStatus::kReplaced);
  EXPECT_EQ(blob_count(), 1u);
  EXPECT_EQ(read_back(row().value()), changed);
}

TEST_F(EncryptedIngestTest, ADamagedStoredObjectIsReportedNotTakenForADuplicate) {
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  (*memory_.raw(row()->blob))[300] ^= 0x10;
  auto again = ingest_->store(operator_ctx(), ct);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(blob_count(), 1u);
  auto check = check_archive(operator_ctx(), *index_, *encrypted_, {}).value();
  EXPECT_EQ(check.checked, 1u);
  EXPECT_EQ(check.failures.size(), 1u);
}

// Without a digest, `arca check` still ties each row to its object by the file meta SOP
// Instance UID: two same-sized objects swapped under their rows (plain benchmark store, where
// no GCM binds the blob id) are both reported.
TEST_F(EncryptedIngestTest, CheckFindsAnObjectUnderAnotherInstancesRow) {
  retrieve_.reset();
  ingest_ = std::make_unique<IngestService>(
      IngestDeps{faulty_, *index_, refs_, audit_, random_, clock_, logger_},
      IngestOptions{.digest = IngestOptions::Digest::kNever});
  Bytes ct = corpus_file("CT_small.dcm");
  std::string other_sop = std::string(kCtSop).substr(0, std::strlen(kCtSop) - 1) + "9";
  Bytes other = replace_all(ct, kCtSop, other_sop);
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  ASSERT_TRUE(ingest_->store(operator_ctx(), other).ok());
  auto check = check_archive(operator_ctx(), *index_, faulty_, {}).value();
  EXPECT_EQ(check.checked, 2u);
  EXPECT_TRUE(check.failures.empty());

  std::swap(*memory_.raw(row()->blob), *memory_.raw(row(other_sop.c_str())->blob));
  check = check_archive(operator_ctx(), *index_, faulty_, {}).value();
  ASSERT_EQ(check.failures.size(), 2u);
  EXPECT_EQ(check.failures[0].error.code, ErrorCode::kIntegrity);
  EXPECT_NE(check.failures[0].error.message.find("not the instance"), std::string::npos);
}

// Stores of one SOP Instance UID that race past the first comparison meet in the index
// (kExists) and are settled by comparing again: one stored, the rest duplicates or conflicts,
// no blob left behind.
TEST_F(EncryptedIngestTest, RacingStoresOfOneUidAreSettledByComparingAgain) {
  Bytes ct = corpus_file("CT_small.dcm");
  Bytes changed = ct;
  changed[changed.size() - 1] ^= 0x01;
  for (int round = 0; round < 5; ++round) {
    std::atomic<int> stored{0}, duplicate{0}, conflict{0}, other{0};
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
          auto r = ingest_->store(operator_ctx(), t == 5 ? changed : ct);
          if (!r.ok())
            (r.error().code == ErrorCode::kConflict ? conflict : other)++;
          else
            (r->status == StoreStatus::kStored ? stored : duplicate)++;
        });
      }
    }
    EXPECT_EQ(stored.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(stored + duplicate + conflict, 6);
    EXPECT_GE(conflict.load(), 1);  // the odd one out, or (if it won) every other
    EXPECT_EQ(blob_count(), 1u);
    auto r = row().value();
    auto tx = index_->begin().value();
    ASSERT_TRUE(tx->remove_instance(default_tenant(), InstanceUid(kCtSop)).ok());
    ASSERT_TRUE(tx->commit().ok());
    ASSERT_TRUE(encrypted_->remove(r.blob).ok());
    ASSERT_EQ(blob_count(), 0u);
  }
}

}  // namespace
}  // namespace arca::service
