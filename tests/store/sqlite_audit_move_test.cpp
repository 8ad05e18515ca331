// Moving an older archive's audit trail out of index.db (index migration 4 tables) into its own
// audit.db: everything copied and checked, the tables dropped from the index, a move stopped
// before the drop finished on the next open, and a conflicting audit.db refused untouched.
#include "store/sqlite/sqlite_audit_move.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_audit_log.h"
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

AuditRecord record(std::uint64_t seq, std::string actor = "ae:CT1") {
  AuditRecord r;
  r.seq = seq;
  r.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq);
  r.actor = std::move(actor);
  r.tenant = "default";
  r.action = "store";
  r.outcome = "success";
  r.detail = "stored";
  r.patients = {"ab12"};
  r.studies = {"1.2.3"};
  r.instances = {"1.2.3.4.5", "1.2.3.4.6"};
  r.request_id = "req-" + std::to_string(seq);
  r.prev_hash = std::string(64, '0');
  r.hash = std::string(64, 'a' + static_cast<char>(seq % 6));
  return r;
}

class SqliteAuditMoveTest : public ::testing::Test {
 protected:
  std::filesystem::path index_file() const { return dir_.path() / "index.db"; }
  std::filesystem::path audit_file() const { return dir_.path() / "audit.db"; }

  // An archive as older builds left it: the trail's tables in index.db, written through a
  // SqliteAuditLog over an index connection as those builds did.
  void write_legacy_trail(std::uint64_t records) {
    auto index = SqliteIndex::open(index_file(), index_key());
    ASSERT_TRUE(index.ok()) << index.error().to_string();
    auto conn = sqlite::open_index_side_connection(index_file(), index_key(), 512);
    ASSERT_TRUE(conn.ok()) << conn.error().to_string();
    // Today's appends also write search keys, which those builds did not have: a scratch table
    // takes them and goes again.
    ASSERT_TRUE(conn.value()
                    ->exec("CREATE TABLE audit_keys (key TEXT NOT NULL, seq INTEGER NOT NULL, "
                           "PRIMARY KEY (key, seq)) WITHOUT ROWID")
                    .ok());
    {
      SqliteAuditLog legacy(std::move(conn).take());
      std::vector<AuditRecord> all;
      for (std::uint64_t seq = 1; seq <= records; ++seq)
        all.push_back(record(seq));
      ASSERT_TRUE(legacy.append(all).ok());
      ASSERT_TRUE(legacy.append_checkpoint({2, record(2).hash, 5, "mac2"}).ok());
      ASSERT_TRUE(legacy.append_checkpoint({records, record(records).hash, 9, "mac"}).ok());
    }
    ASSERT_TRUE(raw_index()->exec("DROP TABLE audit_keys").ok());
  }

  std::unique_ptr<sqlite::Connection> raw_index() {
    sqlite::ConnectionOptions o;
    o.file = index_file();
    o.application_id = sqlite::kIndexApplicationId;
    o.what = "index";
    return sqlite::Connection::open(o, index_key()).value();
  }

  std::int64_t index_audit_tables() {
    return raw_index()
        ->query_int("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'audit%'")
        .value();
  }

  std::unique_ptr<SqliteAuditLog> open_log() {
    return SqliteAuditLog::open(audit_file(), log_key()).value();
  }

  test::TempDir dir_;
};

TEST_F(SqliteAuditMoveTest, MovesEveryRecordAndCheckpointAndDropsTheIndexTables) {
  write_legacy_trail(40);
  ASSERT_GT(index_audit_tables(), 0);
  auto log = open_log();
  auto moved = log->adopt_index_records(index_file(), index_key());
  ASSERT_TRUE(moved.ok()) << moved.error().to_string();
  EXPECT_EQ(moved.value(), 40u);
  auto all = log->read(1, 1000).value();
  ASSERT_EQ(all.size(), 40u);
  for (std::uint64_t seq = 1; seq <= 40; ++seq)
    EXPECT_EQ(all[seq - 1], record(seq));
  auto cps = log->checkpoints().value();
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(cps.back(), (AuditCheckpoint{40, record(40).hash, 9, "mac"}));
  EXPECT_EQ(index_audit_tables(), 0);  // the tables, their index and triggers are gone
  // The moved records can be found by key.
  EXPECT_EQ(log->first_unkeyed_record().value(), std::nullopt);
  const AuditRecord& r7 = all[6];
  auto found =
      log->read_by_key(AuditKey{AuditKeyKind::kActor, r7.actor}, 0, INT64_MAX, 6, false, 1);
  ASSERT_EQ(found.value().records.size(), 1u);
  EXPECT_EQ(found.value().records[0], r7);
  // The index still opens and works; a second adopt finds nothing to do.
  ASSERT_TRUE(SqliteIndex::open(index_file(), index_key()).ok());
  EXPECT_EQ(log->adopt_index_records(index_file(), index_key()).value(), 0u);
  EXPECT_EQ(log->read(1, 1000).value().size(), 40u);
  // The moved log is the live one: appends continue it.
  ASSERT_TRUE(log->append({record(41)}).ok());
  EXPECT_EQ(log->head().value().seq, 41u);
}

TEST_F(SqliteAuditMoveTest, ANewArchiveJustLosesTheEmptyIndexTables) {
  ASSERT_TRUE(SqliteIndex::open(index_file(), index_key()).ok());
  ASSERT_GT(index_audit_tables(), 0);
  auto log = open_log();
  EXPECT_EQ(log->adopt_index_records(index_file(), index_key()).value(), 0u);
  EXPECT_EQ(index_audit_tables(), 0);
  EXPECT_EQ(log->head().value().seq, 0u);
}

TEST_F(SqliteAuditMoveTest, AMoveStoppedBeforeTheDropIsFinishedNextTime) {
  write_legacy_trail(12);
  auto log = open_log();
  {
    // The copy committed, then the process died before dropping the index tables.
    sqlite::ConnectionOptions o;
    o.file = audit_file();
    o.application_id = sqlite::kAuditApplicationId;
    o.what = "audit log";
    auto audit = sqlite::Connection::open(o, log_key()).value();
    auto index = raw_index();
    ASSERT_TRUE(sqlite::in_transaction(*audit, [&]() -> Result<void> {
                  ARCA_TRY(sqlite::copy_audit_tables(*index, *audit));
                  return ok();
                }).ok());
  }
  EXPECT_EQ(log->adopt_index_records(index_file(), index_key()).value(), 0u);  // already there
  EXPECT_EQ(index_audit_tables(), 0);
  EXPECT_EQ(log->read(1, 1000).value().size(), 12u);
  EXPECT_EQ(log->checkpoints().value().size(), 2u);
}

TEST_F(SqliteAuditMoveTest, RefusesWhenAuditDbHoldsOtherRecordsAndTouchesNothing) {
  write_legacy_trail(5);
  auto log = open_log();
  ASSERT_TRUE(log->append({record(1, "user:other")}).ok());
  auto moved = log->adopt_index_records(index_file(), index_key());
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, ErrorCode::kIntegrity);
  EXPECT_GT(index_audit_tables(), 0);
  EXPECT_EQ(raw_index()->query_int("SELECT count(*) FROM audit_records").value(), 5);
  EXPECT_EQ(log->read(1, 10).value().size(), 1u);
}

}  // namespace
}  // namespace arca::store
