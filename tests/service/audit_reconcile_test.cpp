// reconcile_store_records over a real index and a real chained trail: stores whose records a
// crash lost (committed to the index, never appended to audit.db) get exactly one recovered
// record each, an untouched archive gets none, and the chain still verifies.
#include "service/audit_reconcile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "audit/chain_verifier.h"
#include "audit/chained_recorder.h"
#include "service/ingest_service.h"
#include "service_fixture.h"
#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca::service {
namespace {

constexpr const char* kCtSop = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";

std::string sop(int n) {
  return std::string(kCtSop).substr(0, std::strlen(kCtSop) - 5) + std::to_string(10000 + n);
}

class AuditReconcileTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    log_ = store::SqliteAuditLog::open(dir_.path() / "audit.db", SecretBytes(Bytes(32, 7))).value();
    chain_ = audit::ChainedAuditRecorder::open(audit::ChainedRecorderDeps{*log_, clock_, logger_},
                                               audit::CheckpointSigner(mac_key()), {})
                 .value();
    ct_ = corpus_file("CT_small.dcm");
  }
  void TearDown() override {
    ingest_.reset();
    chain_.reset();
  }
  static SecretBytes mac_key() { return SecretBytes(Bytes(32, 9)); }

  // Stores through the real protocol: the committer appends the record after its commit.
  void store_audited(int n) {
    IngestService ingest(IngestDeps{faulty_, *index_, refs_, *chain_, random_, clock_, logger_,
                                    nullptr, chain_.get()},
                         IngestOptions{});
    ASSERT_TRUE(ingest.store(operator_ctx(), replace_all(ct_, kCtSop, sop(n))).ok());
  }
  // A store whose record was lost: committed to the index, its record went elsewhere (audit_).
  void store_record_lost(int n) {
    ASSERT_TRUE(ingest_->store(operator_ctx(), replace_all(ct_, kCtSop, sop(n))).ok());
  }

  ReconcileReport reconcile() {
    auto r = reconcile_store_records(ReconcileDeps{*index_, *log_, *chain_, clock_, logger_});
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? r.value() : ReconcileReport{};
  }

  std::vector<store::AuditRecord> records() { return log_->read(1, 100000).value(); }

  void sqlite_tamper(const std::string& sql) {
    store::sqlite::ConnectionOptions o;
    o.file = dir_.path() / "audit.db";
    o.application_id = store::sqlite::kAuditApplicationId;
    o.what = "audit log";
    auto conn = store::sqlite::Connection::open(o, SecretBytes(Bytes(32, 7))).value();
    ASSERT_TRUE(conn->exec(sql).ok());
  }

  std::unique_ptr<store::SqliteAuditLog> log_;
  std::unique_ptr<audit::ChainedAuditRecorder> chain_;
  Bytes ct_;
};

TEST_F(AuditReconcileTest, AnUntouchedArchiveGetsNoRecord) {
  for (int n = 1; n <= 4; ++n)
    store_audited(n);
  ReconcileReport report = reconcile();
  EXPECT_EQ(report.checked, 4u);
  EXPECT_EQ(report.recovered, 0u);
  EXPECT_EQ(records().size(), 4u);
}

TEST_F(AuditReconcileTest, EachStoreWhoseRecordWasLostIsRecordedOnce) {
  store_audited(1);
  store_audited(2);
  clock_.advance(std::chrono::seconds(2));
  for (int n = 3; n <= 5; ++n)  // the crash: committed, their records never reached audit.db
    store_record_lost(n);
  ASSERT_EQ(audit_.events.size(), 3u);

  ReconcileReport report = reconcile();
  EXPECT_EQ(report.checked, 5u);
  EXPECT_EQ(report.recovered, 3u);
  auto all = records();
  ASSERT_EQ(all.size(), 5u);
  std::set<std::string> recovered;
  for (std::size_t i = 2; i < all.size(); ++i) {
    EXPECT_EQ(all[i].actor, "system");
    EXPECT_EQ(all[i].action, "store");
    EXPECT_EQ(all[i].outcome, "success");
    EXPECT_EQ(all[i].detail, kRecoveredDetail);
    EXPECT_EQ(all[i].tenant, default_tenant().str());
    ASSERT_EQ(all[i].instances.size(), 1u);
    EXPECT_EQ(all[i].patients.size(), 1u);
    EXPECT_EQ(all[i].studies.size(), 1u);
    EXPECT_EQ(all[i].series.size(), 1u);
    recovered.insert(all[i].instances[0]);
  }
  EXPECT_EQ(recovered, (std::set<std::string>{sop(3), sop(4), sop(5)}));

  EXPECT_EQ(reconcile().recovered, 0u);  // a second start finds nothing more
  ASSERT_TRUE(chain_->close().ok());
  auto verified = audit::verify_chain(*log_, audit::CheckpointSigner(mac_key())).value();
  EXPECT_TRUE(verified.intact()) << verified.first_break->message;
}

TEST_F(AuditReconcileTest, AnEmptyTrailChecksEveryInstance) {
  store_record_lost(1);
  store_record_lost(2);
  EXPECT_EQ(reconcile().recovered, 2u);
  EXPECT_EQ(records().size(), 2u);
}

TEST_F(AuditReconcileTest, InstancesReceivedLongBeforeTheNewestRecordAreNotChecked) {
  store_record_lost(1);  // an hour before the trail's newest record: outside the window
  clock_.advance(std::chrono::hours(1));
  store_audited(2);
  ReconcileReport report = reconcile();
  EXPECT_EQ(report.checked, 1u);
  EXPECT_EQ(report.recovered, 0u);
}

TEST_F(AuditReconcileTest, ATrailCutBelowItsLastCheckpointIsLeftForVerifyToReport) {
  for (int n = 1; n <= 3; ++n)
    store_audited(n);
  ASSERT_TRUE(chain_->checkpoint().ok());  // signs seq 3
  chain_.reset();
  log_.reset();
  // An insider deletes the last record (the append-only trigger dropped first).
  sqlite_tamper(
      "DROP TRIGGER audit_records_append_only_delete; DELETE FROM audit_records WHERE seq = 3");
  log_ = store::SqliteAuditLog::open(dir_.path() / "audit.db", SecretBytes(Bytes(32, 7))).value();
  chain_ = audit::ChainedAuditRecorder::open(audit::ChainedRecorderDeps{*log_, clock_, logger_},
                                             audit::CheckpointSigner(mac_key()), {})
               .value();
  ReconcileReport report = reconcile();
  EXPECT_TRUE(report.truncated);
  EXPECT_EQ(report.recovered, 0u);
  EXPECT_EQ(records().size(), 2u);
}

}  // namespace
}  // namespace arca::service
