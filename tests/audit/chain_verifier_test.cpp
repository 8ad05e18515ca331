#include "audit/chain_verifier.h"

#include <gtest/gtest.h>

#include "audit_fixture.h"

namespace arca::audit {
namespace {

constexpr std::string_view kColumns =
    "time_ms, actor, tenant, action, outcome, error_code, detail, patients, studies, series, "
    "instances, client_address, user_agent, request_id, prev_hash, hash";

class ChainVerifierTest : public test::AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    ChainedRecorderOptions options;
    options.checkpoint_records = 5;
    write_log(12, options);  // checkpoints at 5, 10 and 12
  }
  ChainBreak first_break() {
    auto report = verify_chain(*log_, CheckpointSigner(test::mac_key())).value();
    EXPECT_FALSE(report.intact());
    return report.first_break.value_or(ChainBreak{});
  }
};

TEST_F(ChainVerifierTest, UntouchedLogIsIntact) {
  auto report = verify_chain(*log_, CheckpointSigner(test::mac_key())).value();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.records, 12u);
  EXPECT_EQ(report.checkpoints, 3u);
}

TEST_F(ChainVerifierTest, NamesAnEditedRecord) {
  tamper("UPDATE audit_records SET actor = 'user:evil' WHERE seq = 7");
  auto b = first_break();
  EXPECT_EQ(b.seq, 7u);
  EXPECT_EQ(b.kind, BreakKind::kEdited);
}

// An editor who also recomputes that record's hash breaks the next link.
TEST_F(ChainVerifierTest, NamesTheLinkAfterARehashedEdit) {
  auto r = log_->read(7, 1).value().at(0);
  r.actor = "user:evil";
  r.hash = record_hash(r);
  tamper("UPDATE audit_records SET actor = 'user:evil', hash = '" + r.hash + "' WHERE seq = 7");
  auto b = first_break();
  EXPECT_EQ(b.seq, 8u);
  EXPECT_EQ(b.kind, BreakKind::kBrokenLink);
}

// Rewriting every record from the edit onwards is caught by the signed checkpoints.
TEST_F(ChainVerifierTest, NamesARewrittenTailAtItsCheckpoint) {
  auto records = log_->read(1, 100).value();
  std::string sql;
  std::string prev = records[5].hash;
  for (std::size_t i = 6; i < records.size(); ++i) {
    auto r = records[i];
    if (r.seq == 7)
      r.actor = "user:evil";
    link(r, r.seq, prev);
    prev = r.hash;
    sql += "UPDATE audit_records SET actor = '" + r.actor + "', prev_hash = '" + r.prev_hash +
           "', hash = '" + r.hash + "' WHERE seq = " + std::to_string(r.seq) + ";";
  }
  tamper(sql);
  auto b = first_break();
  EXPECT_EQ(b.seq, 10u);
  EXPECT_EQ(b.kind, BreakKind::kCheckpointMismatch);
}

TEST_F(ChainVerifierTest, NamesADeletedRecord) {
  tamper("DELETE FROM audit_records WHERE seq = 4");
  auto b = first_break();
  EXPECT_EQ(b.seq, 4u);
  EXPECT_EQ(b.kind, BreakKind::kMissing);
}

TEST_F(ChainVerifierTest, NamesAnInsertedRecord) {
  // Make room at seq 6 and copy record 5's contents there, as a forger would.
  tamper(
      "UPDATE audit_records SET seq = -seq WHERE seq >= 6;"
      "UPDATE audit_records SET seq = 1 - seq WHERE seq < 0;"
      "INSERT INTO audit_records (seq, " +
      std::string(kColumns) + ") SELECT 6, " + std::string(kColumns) +
      " FROM audit_records WHERE seq = 5");
  auto b = first_break();
  EXPECT_EQ(b.seq, 6u);
  EXPECT_EQ(b.kind, BreakKind::kEdited);
}

TEST_F(ChainVerifierTest, NamesReorderedRecords) {
  tamper(
      "UPDATE audit_records SET seq = 100 WHERE seq = 3;"
      "UPDATE audit_records SET seq = 3 WHERE seq = 4;"
      "UPDATE audit_records SET seq = 4 WHERE seq = 100");
  auto b = first_break();
  EXPECT_EQ(b.seq, 3u);
  EXPECT_EQ(b.kind, BreakKind::kEdited);
}

TEST_F(ChainVerifierTest, NamesATruncatedTail) {
  tamper("DELETE FROM audit_records WHERE seq > 9");
  auto b = first_break();
  EXPECT_EQ(b.seq, 10u);
  EXPECT_EQ(b.kind, BreakKind::kTruncated);
}

TEST_F(ChainVerifierTest, NamesAForgedCheckpoint) {
  tamper("UPDATE audit_checkpoints SET time_ms = time_ms + 1 WHERE seq = 10");
  auto b = first_break();
  EXPECT_EQ(b.seq, 10u);
  EXPECT_EQ(b.kind, BreakKind::kBadCheckpoint);
}

TEST_F(ChainVerifierTest, NamesAnUnsignedTail) {
  auto last = log_->read(12, 1).value().at(0);
  auto extra = last;
  link(extra, 13, last.hash);
  ASSERT_TRUE(log_->append({extra}).ok());
  auto b = first_break();
  EXPECT_EQ(b.seq, 13u);
  EXPECT_EQ(b.kind, BreakKind::kUnsignedTail);
}

// The chain is intact, but a search by key would no longer find the records of a segment
// whose filter was wiped (a patient's access report would leave them out).
TEST_F(ChainVerifierTest, NamesTheFirstRecordASearchByKeyWouldMiss) {
  {
    ChainedRecorderOptions options;
    options.checkpoint_records = 500;
    auto rec = recorder(options);
    for (int i = 13; i <= 1030; ++i)  // one full segment of 1,024 records and its filter
      ASSERT_TRUE(rec->record(test::event(i)).ok());
    ASSERT_TRUE(rec->close().ok());
  }
  EXPECT_TRUE(verify_chain(*log_, CheckpointSigner(test::mac_key())).value().intact());
  tamper("UPDATE audit_filters SET bits = zeroblob(length(bits))");
  auto b = first_break();
  EXPECT_EQ(b.seq, 1u);
  EXPECT_EQ(b.kind, BreakKind::kUnkeyed);
  EXPECT_EQ(break_kind_name(b.kind), "unkeyed");
}

}  // namespace
}  // namespace arca::audit
