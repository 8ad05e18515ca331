// recover_unsynced_stores (docs/adr/0023): rows a crash left whose blob never reached the disk
// are taken back and recorded; everything else is left as it is.
#include "service/store_recovery.h"

#include "service_fixture.h"

namespace arca::service {
namespace {

constexpr const char* kCtSop = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";

class StoreRecoveryTest : public ServiceTest {
 protected:
  store::StoredInstance stored_ct() {
    EXPECT_TRUE(ingest_->store(operator_ctx(), corpus_file("CT_small.dcm")).ok());
    return find_ct().value();
  }
  std::optional<store::StoredInstance> find_ct() {
    return index_->find_instance(default_tenant(), InstanceUid(kCtSop)).value();
  }
  std::int64_t now_ms() const { return to_unix_ms(clock_.now()); }
  Result<UnsyncedRecoveryReport> recover(const std::vector<store::BlobId>& unverified,
                                         std::int64_t newest_commit_ms) {
    return recover_unsynced_stores(
        UnsyncedRecoveryDeps{*index_, faulty_, memory_, audit_, clock_, logger_}, unverified,
        newest_commit_ms);
  }
};

TEST_F(StoreRecoveryTest, RowWhoseBlobIsMissingIsTakenBackAndRecorded) {
  const auto row = stored_ct();
  ASSERT_TRUE(memory_.remove(row.blob).ok());  // the record never reached the disk
  const auto before = audit_.events.size();
  auto report = recover({}, now_ms()).value();
  EXPECT_EQ(report.checked, 1u);
  EXPECT_EQ(report.taken_back, 1u);
  EXPECT_FALSE(find_ct().has_value());
  ASSERT_EQ(audit_.events.size(), before + 1);
  const auto& e = audit_.events.back();
  EXPECT_EQ(e.action, AuditAction::kStore);
  EXPECT_EQ(e.outcome, audit::Outcome::kFailure);
  EXPECT_EQ(e.actor, "system");
  EXPECT_EQ(e.detail, kTakenBackDetail);
  EXPECT_EQ(e.error_code, "not_found");
  ASSERT_EQ(e.instances.size(), 1u);
  EXPECT_EQ(e.instances[0].str(), kCtSop);
  // The modality's resend is then stored as new.
  auto resent = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
  ASSERT_TRUE(resent.ok());
  EXPECT_EQ(resent->status, StoreStatus::kStored);
}

TEST_F(StoreRecoveryTest, UnverifiedBlobIsReadInFullAndTakenBackWhenDamaged) {
  const auto row = stored_ct();
  Bytes* bytes = memory_.raw(row.blob);
  ASSERT_NE(bytes, nullptr);
  (*bytes)[bytes->size() - 100] ^= 0x40;  // the header survived, a data block did not
  // Not suspect: only its presence is checked, and it is there.
  EXPECT_EQ(recover({}, now_ms()).value().taken_back, 0u);
  EXPECT_TRUE(find_ct().has_value());
  auto report = recover({row.blob}, now_ms()).value();
  EXPECT_EQ(report.verified, 1u);
  EXPECT_EQ(report.taken_back, 1u);
  EXPECT_FALSE(find_ct().has_value());
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_EQ(audit_.events.back().error_code, "integrity");
}

TEST_F(StoreRecoveryTest, WholeUnverifiedBlobKeepsItsRow) {
  const auto row = stored_ct();
  const auto before = audit_.events.size();
  auto report = recover({row.blob, store::BlobId(std::string(32, 'a'))}, now_ms()).value();
  EXPECT_EQ(report.checked, 1u);
  EXPECT_EQ(report.verified, 1u);
  EXPECT_EQ(report.taken_back, 0u);
  EXPECT_TRUE(find_ct().has_value());
  EXPECT_EQ(audit_.events.size(), before);
}

TEST_F(StoreRecoveryTest, RowsReceivedBeforeTheWindowAreLeftToCheck) {
  const auto row = stored_ct();
  ASSERT_TRUE(memory_.remove(row.blob).ok());
  const std::int64_t later = now_ms() + kUnsyncedWindow.count() + 1;
  auto report = recover({row.blob}, later).value();
  EXPECT_EQ(report.checked, 0u);
  EXPECT_TRUE(find_ct().has_value());  // `arca check` reports it; startup removes nothing old
}

TEST_F(StoreRecoveryTest, OtherFailuresStopTheStartInsteadOfRemovingRows) {
  const auto row = stored_ct();
  faulty_.fail_reads(true);
  auto failed = recover({row.blob}, now_ms());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  faulty_.fail_reads(false);
  EXPECT_TRUE(find_ct().has_value());
}

}  // namespace
}  // namespace arca::service
