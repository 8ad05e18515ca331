#include "store/sqlite/sqlite_audit_log.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_index.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_dir.h"

namespace arca::store {
namespace {

SecretBytes log_key() {
  return SecretBytes(Bytes(32, 7));
}
SecretBytes index_key() {
  return SecretBytes(Bytes(32, 8));
}

AuditRecord record(std::uint64_t seq) {
  AuditRecord r;
  r.seq = seq;
  r.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq);
  r.actor = "ae:CT1";
  r.tenant = "default";
  r.action = "store";
  r.outcome = "success";
  r.detail = "stored";
  r.patients = {"ab12"};
  r.studies = {"1.2.3"};
  r.series = {"1.2.3.4"};
  r.instances = {"1.2.3.4.5", "1.2.3.4.6"};
  r.client_address = "127.0.0.1:1234";
  r.user_agent = "curl/7.88";
  r.request_id = "req-" + std::to_string(seq);
  r.prev_hash = std::string(64, '0');
  r.hash = std::string(64, 'a' + static_cast<char>(seq % 6));
  return r;
}

class SqliteAuditLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteAuditLog> open() {
    auto r = SqliteAuditLog::open(dir_.path() / "audit.db", log_key());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).take() : nullptr;
  }
  // A raw connection to audit.db (audit key) or index.db (index key).
  Result<std::unique_ptr<sqlite::Connection>> raw(const std::filesystem::path& file) {
    const bool audit = file.filename() == "audit.db";
    sqlite::ConnectionOptions o;
    o.file = file;
    o.application_id = audit ? sqlite::kAuditApplicationId : sqlite::kIndexApplicationId;
    o.what = audit ? "audit log" : "index";
    return sqlite::Connection::open(o, audit ? log_key() : index_key());
  }
  test::TempDir dir_;
};

TEST_F(SqliteAuditLogTest, AppendsReadsAndReportsHead) {
  auto log = open();
  EXPECT_EQ(log->head().value().seq, 0u);
  ASSERT_TRUE(log->append({record(1), record(2), record(3)}).ok());
  auto head = log->head().value();
  EXPECT_EQ(head.seq, 3u);
  EXPECT_EQ(head.hash, record(3).hash);
  auto all = log->read(1, 100).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1], record(2));
  auto tail = log->read(3, 100).value();
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].seq, 3u);
  auto empty_lists = record(4);
  empty_lists.patients.clear();
  empty_lists.instances.clear();
  ASSERT_TRUE(log->append({empty_lists}).ok());
  EXPECT_EQ(log->read(4, 1).value().at(0), empty_lists);
}

TEST_F(SqliteAuditLogTest, RefusesGapsAndReplays) {
  auto log = open();
  EXPECT_EQ(log->append({record(2)}).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(log->append({record(1)}).ok());
  EXPECT_EQ(log->append({record(1)}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(log->append({record(2), record(4)}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(log->head().value().seq, 1u);  // the failed batch left nothing behind
}

TEST_F(SqliteAuditLogTest, ReadsTimeRanges) {
  auto log = open();
  ASSERT_TRUE(log->append({record(1), record(2), record(3), record(4)}).ok());
  auto mid = log->read_time_range(record(2).time_ms, record(4).time_ms, 0, 100).value();
  ASSERT_EQ(mid.size(), 2u);
  EXPECT_EQ(mid[0].seq, 2u);
  EXPECT_EQ(mid[1].seq, 3u);
  auto paged = log->read_time_range(0, record(4).time_ms + 1, 2, 1).value();
  ASSERT_EQ(paged.size(), 1u);
  EXPECT_EQ(paged[0].seq, 3u);
}

// A record's commit writes few bytes: 1 KiB pages in a new audit.db, and one B-tree per record
// (no index on time since audit migration 3).
TEST_F(SqliteAuditLogTest, ANewTrailHasSmallPagesAndNoTimeIndex) {
  auto log = open();
  ASSERT_TRUE(log->append({record(1)}).ok());
  auto conn = raw(dir_.path() / "audit.db").value();
  EXPECT_EQ(conn->query_int("PRAGMA page_size").value(), 1024);
  EXPECT_EQ(conn->query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                            "tbl_name = 'audit_records'")
                .value(),
            0);
}

TEST_F(SqliteAuditLogTest, KeepsCheckpoints) {
  auto log = open();
  ASSERT_TRUE(log->append({record(1), record(2)}).ok());
  AuditCheckpoint c{2, record(2).hash, 5, std::string(64, 'f')};
  ASSERT_TRUE(log->append_checkpoint(c).ok());
  EXPECT_EQ(log->append_checkpoint(c).error().code, ErrorCode::kAlreadyExists);
  auto all = log->checkpoints().value();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], c);
}

TEST_F(SqliteAuditLogTest, RecordsAreAppendOnlyInTheSchema) {
  auto log = open();
  ASSERT_TRUE(log->append({record(1)}).ok());
  auto conn = raw(dir_.path() / "audit.db").value();
  EXPECT_FALSE(conn->exec("UPDATE audit_records SET actor = 'x'").ok());
  EXPECT_FALSE(conn->exec("DELETE FROM audit_records").ok());
  EXPECT_EQ(log->read(1, 10).value().at(0), record(1));
}

TEST_F(SqliteAuditLogTest, IsAFileOfItsOwnUnderItsOwnKey) {
  ASSERT_TRUE(open()->append({record(1)}).ok());
  auto wrong = SqliteAuditLog::open(dir_.path() / "audit.db", index_key());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
  auto index = SqliteIndex::open(dir_.path() / "audit.db", log_key());  // not an index
  EXPECT_FALSE(index.ok());
  EXPECT_EQ(open()->head().value().seq, 1u);
}

// Migration 4 lands before 3 (reserved for the account tables): an index file at version 2
// gets 4 and its (historical) audit tables, and reopening applies nothing twice.
TEST_F(SqliteAuditLogTest, IndexMigrationFourAppliesOverVersionTwo) {
  auto conn = raw(dir_.path() / "index.db").value();
  auto migrations = sqlite::index_migrations();
  ASSERT_GE(migrations.size(), 3u);
  ASSERT_EQ(sqlite::migrate(*conn, migrations.first(2), sqlite::kIndexApplicationId).value(), 2);
  EXPECT_EQ(sqlite::migrate(*conn, migrations, sqlite::kIndexApplicationId).value(),
            migrations.back().version);
  EXPECT_EQ(conn->query_int("SELECT count(*) FROM audit_records").value(), 0);
  EXPECT_EQ(sqlite::migrate(*conn, migrations, sqlite::kIndexApplicationId).value(),
            migrations.back().version);
}

}  // namespace
}  // namespace arca::store
