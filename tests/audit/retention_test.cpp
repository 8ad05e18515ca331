#include "audit/retention.h"

#include <gtest/gtest.h>

#include "audit/chain_verifier.h"
#include "audit_fixture.h"

namespace arca::audit {
namespace {

using namespace std::chrono_literals;

// Records 1..12 at 1'700'000'000'001..012 ms, checkpoints at 5, 10 and 12; the recorder's clock
// then reads `days` later.
class RetentionTest : public test::AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    ChainedRecorderOptions options;
    options.checkpoint_records = 5;
    write_log(12, options);
    recorder_ = recorder(options);
  }
  VerifyReport verify() { return verify_chain(*log_, CheckpointSigner(test::mac_key())).value(); }

  // Moves the clock (which starts at record 0's time) to just after record `seq`'s time plus
  // the retention period.
  void set_clock_after_record(int seq, std::chrono::days retention) {
    clock_.advance(std::chrono::milliseconds(seq) + retention + 500us);
  }

  std::unique_ptr<ChainedAuditRecorder> recorder_;
};

TEST_F(RetentionTest, RemovesWholeSignedSegmentsAndRecordsIt) {
  set_clock_after_record(7, std::chrono::days(30));  // records 1..7 expired
  auto pruned = prune_expired(*log_, *recorder_, clock_, std::chrono::days(30));
  ASSERT_TRUE(pruned.ok()) << pruned.error().to_string();
  EXPECT_EQ(pruned->from, 1u);
  EXPECT_EQ(pruned->through, 5u);  // 6 and 7 are expired but their segment (6..10) is not
  EXPECT_EQ(pruned->removed, 5u);
  auto records = log_->read(1, 100).value();
  ASSERT_EQ(records.front().seq, 6u);
  EXPECT_EQ(records.back().action, "admin");
  EXPECT_NE(records.back().detail.find("removing audit records 1..5"), std::string::npos);
  ASSERT_TRUE(recorder_->close().ok());
  auto report = verify();
  EXPECT_TRUE(report.intact()) << report.first_break->message;
  EXPECT_EQ(report.first, 6u);
  EXPECT_EQ(report.records, 8u);  // 6..12 and the retention record
}

TEST_F(RetentionTest, NothingExpiredRemovesNothing) {
  set_clock_after_record(4, std::chrono::days(30));
  auto pruned = prune_expired(*log_, *recorder_, clock_, std::chrono::days(30));
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->removed, 0u);
  EXPECT_EQ(log_->read(1, 1).value().at(0).seq, 1u);
}

TEST_F(RetentionTest, OnlyUpToASignedCheckpointBelowTheHead) {
  EXPECT_EQ(log_->prune_through(7).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(log_->prune_through(12).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(log_->read(1, 1).value().at(0).seq, 1u);
}

TEST_F(RetentionTest, RecordsAreStillAppendOnlyAfterPruning) {
  ASSERT_EQ(log_->prune_through(5).value(), 5u);
  auto conn = raw_connection();
  EXPECT_FALSE(conn->exec("DELETE FROM audit_records WHERE seq = 6").ok());
}

TEST_F(RetentionTest, DeletingBeyondThePrunedAnchorIsStillCaught) {
  ASSERT_EQ(log_->prune_through(5).value(), 5u);
  tamper("DELETE FROM audit_records WHERE seq = 6");
  auto report = verify();
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.first_break->seq, 1u);
  EXPECT_EQ(report.first_break->kind, BreakKind::kMissing);
}

}  // namespace
}  // namespace arca::audit
