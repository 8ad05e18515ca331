// The search keys of the audit trail (audit migration 2): records found by patient, study or
// actor without reading the others, kept with each append, built for an existing trail, pruned
// with the records, and a deleted key reported.
#include <gtest/gtest.h>

#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_dir.h"

namespace arca::store {
namespace {

SecretBytes log_key() {
  return SecretBytes(Bytes(32, 7));
}

// Record `seq` names patient p<seq % 3> (and p9 when seq is 5), study s<seq % 2> and actor
// user:<seq % 2>.
AuditRecord record(std::uint64_t seq) {
  AuditRecord r;
  r.seq = seq;
  r.time_ms = 1'000 * static_cast<std::int64_t>(seq);
  r.actor = "user:" + std::to_string(seq % 2);
  r.tenant = "default";
  r.action = "retrieve";
  r.outcome = "success";
  r.patients = {"p" + std::to_string(seq % 3)};
  if (seq == 5)
    r.patients.push_back("p9");
  r.studies = {"1.2." + std::to_string(seq % 2)};
  r.prev_hash = std::string(64, '0');
  r.hash = std::string(64, 'a');
  return r;
}

std::vector<std::uint64_t> seqs(const std::vector<AuditRecord>& records) {
  std::vector<std::uint64_t> out;
  for (const auto& r : records)
    out.push_back(r.seq);
  return out;
}

using Seqs = std::vector<std::uint64_t>;

class SqliteAuditKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = SqliteAuditLog::open(file(), log_key()).value();
    std::vector<AuditRecord> records;
    for (std::uint64_t s = 1; s <= 12; ++s)
      records.push_back(record(s));
    ASSERT_TRUE(log_->append(records).ok());
  }
  std::filesystem::path file() const { return dir_.path() / "audit.db"; }
  std::unique_ptr<sqlite::Connection> raw() {
    sqlite::ConnectionOptions o;
    o.file = file();
    o.application_id = sqlite::kAuditApplicationId;
    o.what = "audit log";
    return sqlite::Connection::open(o, log_key()).value();
  }
  Seqs find(AuditKeyKind kind, const std::string& value, std::uint64_t cursor = 0,
            bool newest_first = false, std::size_t limit = 100, std::int64_t from_ms = 0,
            std::int64_t to_ms = INT64_MAX) {
    auto r = log_->read_by_key(AuditKey{kind, value}, from_ms, to_ms, cursor, newest_first, limit);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? seqs(r.value()) : Seqs{};
  }

  test::TempDir dir_;
  std::unique_ptr<SqliteAuditLog> log_;
};

TEST_F(SqliteAuditKeysTest, FindsRecordsByPatientStudyAndActor) {
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1"), (Seqs{1, 4, 7, 10}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p2"), (Seqs{2, 5, 8, 11}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p9"), (Seqs{5}));  // the second of a record's list
  EXPECT_EQ(find(AuditKeyKind::kStudy, "1.2.0"), (Seqs{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(find(AuditKeyKind::kActor, "user:1"), (Seqs{1, 3, 5, 7, 9, 11}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "1.2.0"), Seqs{});  // kinds do not mix
  EXPECT_EQ(find(AuditKeyKind::kActor, "user:"), Seqs{});    // exact, not a prefix
  auto full = log_->read_by_key(AuditKey{AuditKeyKind::kPatient, "p9"}, 0, INT64_MAX, 0, false, 9);
  ASSERT_EQ(full.value().size(), 1u);
  EXPECT_EQ(full.value()[0], record(5));
}

TEST_F(SqliteAuditKeysTest, PagesBothWaysWithinATimeRange) {
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1", 0, false, 2), (Seqs{1, 4}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1", 4, false, 2), (Seqs{7, 10}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1", 0, true, 3), (Seqs{10, 7, 4}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1", 4, true, 3), (Seqs{1}));
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1", 0, false, 100, 4'000, 10'000), (Seqs{4, 7}));
}

TEST_F(SqliteAuditKeysTest, KeysFollowAppends) {
  AuditRecord later = record(13);
  later.patients = {"p1"};
  ASSERT_TRUE(log_->append({later}).ok());
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1"), (Seqs{1, 4, 7, 10, 13}));
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
}

// A trail written before the keys existed (audit migration 1 only) gets them when opened.
TEST_F(SqliteAuditKeysTest, AnExistingTrailGetsItsKeys) {
  log_.reset();
  {
    auto conn = raw();
    ASSERT_TRUE(conn->exec("DROP TABLE audit_keys; PRAGMA user_version = 1").ok());
  }
  log_ = SqliteAuditLog::open(file(), log_key()).value();
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p9"), (Seqs{5}));
  EXPECT_EQ(find(AuditKeyKind::kStudy, "1.2.1"), (Seqs{1, 3, 5, 7, 9, 11}));
  EXPECT_EQ(find(AuditKeyKind::kActor, "user:0"), (Seqs{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
  EXPECT_EQ(raw()->query_int("SELECT count(*) FROM audit_keys").value(), 12 * 3 + 1);
}

TEST_F(SqliteAuditKeysTest, ReportsTheFirstRecordAKeyNoLongerFinds) {
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
  ASSERT_TRUE(raw()->exec("DELETE FROM audit_keys WHERE key = 'p:p9'").ok());
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::optional<std::uint64_t>(5));
  ASSERT_TRUE(raw()->exec("DELETE FROM audit_keys WHERE key = 'a:user:0' AND seq = 2").ok());
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::optional<std::uint64_t>(2));
}

TEST_F(SqliteAuditKeysTest, PruningRemovesTheKeysOfPrunedRecords) {
  ASSERT_TRUE(log_->append_checkpoint(AuditCheckpoint{6, record(6).hash, 6, "ff"}).ok());
  ASSERT_EQ(log_->prune_through(6).value(), 6u);
  EXPECT_EQ(find(AuditKeyKind::kPatient, "p1"), (Seqs{7, 10}));
  EXPECT_EQ(raw()->query_int("SELECT count(*) FROM audit_keys WHERE seq <= 6").value(), 0);
  EXPECT_EQ(log_->first_unkeyed_record().value(), std::nullopt);
}

}  // namespace
}  // namespace arca::store
