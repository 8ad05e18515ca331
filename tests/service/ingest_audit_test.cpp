// IngestService with the audit chain enlisted around the group commit
// (IngestDeps::in_transaction): the committer appends store records to audit.db right after the
// index commit, the chain stays one verifiable sequence with other writers appending
// concurrently, and when that append fails the store falls back to the recorder and its failure
// policy (fail closed stays fail closed).
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <thread>

#include "audit/chain_verifier.h"
#include "audit/chained_recorder.h"
#include "service/ingest_service.h"
#include "service_fixture.h"
#include "store/sqlite/sqlite_audit_log.h"

namespace arca::service {
namespace {

constexpr const char* kCtSop = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";

Bytes ct_with_sop(const Bytes& ct, int n) {
  std::string suffix = std::to_string(10000 + n);
  std::string uid = std::string(kCtSop).substr(0, std::strlen(kCtSop) - 5) + suffix;
  return replace_all(ct, kCtSop, uid);
}

class IngestAuditTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    log_ = store::SqliteAuditLog::open(dir_.path() / "audit.db", SecretBytes(Bytes(32, 7))).value();
    audit::ChainedRecorderOptions options;
    options.checkpoint_records = 16;  // checkpoints signed between enlisted batches too
    chain_ = audit::ChainedAuditRecorder::open(audit::ChainedRecorderDeps{*log_, clock_, logger_},
                                               audit::CheckpointSigner(mac_key()), options)
                 .value();
  }
  void TearDown() override {
    ingest_.reset();
    chain_.reset();
  }

  static SecretBytes mac_key() { return SecretBytes(Bytes(32, 9)); }

  // `fallback` is what the service records through when the enlisted append fails.
  void enlist(audit::AuditRecorder& fallback) {
    retrieve_.reset();
    ingest_ = std::make_unique<IngestService>(IngestDeps{faulty_, *index_, refs_, fallback, random_,
                                                         clock_, logger_, nullptr, chain_.get()},
                                              IngestOptions{});
  }

  std::vector<store::AuditRecord> records() { return log_->read(1, 100000).value(); }

  std::unique_ptr<store::SqliteAuditLog> log_;
  std::unique_ptr<audit::ChainedAuditRecorder> chain_;
};

TEST_F(IngestAuditTest, StoresAndOtherRecordsFormOneVerifiableChain) {
  enlist(*chain_);
  Bytes ct = corpus_file("CT_small.dcm");
  constexpr int kStorers = 6, kEach = 15, kReaders = 2;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kStorers; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i)
          EXPECT_TRUE(ingest_->store(operator_ctx(), ct_with_sop(ct, t * 100 + i)).ok());
      });
    }
    for (int t = 0; t < kReaders; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kEach; ++i) {
          audit::AuditEvent e;
          e.actor = "user:1";
          e.tenant = default_tenant();
          e.action = AuditAction::kQuery;
          EXPECT_TRUE(chain_->record(e).ok());
        }
      });
    }
  }
  ASSERT_TRUE(chain_->close().ok());
  auto all = records();
  ASSERT_EQ(all.size(), static_cast<std::size_t>((kStorers + kReaders) * kEach));
  std::set<std::string> stored;
  for (const auto& r : all) {
    if (r.action == "store") {
      EXPECT_EQ(r.outcome, "success");
      EXPECT_EQ(r.detail, "stored");
      ASSERT_EQ(r.instances.size(), 1u);
      EXPECT_EQ(r.patients.size(), 1u);
      stored.insert(r.instances[0]);
    }
  }
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kStorers * kEach));  // one record each
  auto report = audit::verify_chain(*log_, audit::CheckpointSigner(mac_key())).value();
  EXPECT_TRUE(report.intact()) << report.first_break->message;
  EXPECT_GT(report.checkpoints, 1u);
}

TEST_F(IngestAuditTest, AStoreIsRecordedByTheCommitterNotThroughTheRecorder) {
  enlist(audit_);  // anything recorded through the recorder would show in audit_
  Bytes ct = corpus_file("CT_small.dcm");
  ASSERT_TRUE(ingest_->store(operator_ctx(), ct).ok());
  EXPECT_TRUE(audit_.events.empty());
  auto all = records();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].action, "store");
  EXPECT_EQ(all[0].instances, std::vector<std::string>{kCtSop});
  EXPECT_EQ(all[0].request_id, "req-1");
}

TEST_F(IngestAuditTest, AFailedAppendFallsBackToTheRecorderAndStaysFailClosed) {
  enlist(audit_);
  // Another writer appends behind the recorder's back: its head is stale, so the committer's
  // append after the index commit is refused (kConflict) and the store is recorded through
  // audit_.
  store::AuditRecord foreign;
  audit::link(foreign, 1, audit::kGenesisHash);
  ASSERT_TRUE(log_->append({foreign}).ok());
  Bytes ct = corpus_file("CT_small.dcm");
  auto stored = ingest_->store(operator_ctx(), ct_with_sop(ct, 1));
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  ASSERT_EQ(audit_.events.size(), 1u);
  EXPECT_EQ(audit_.events[0].action, AuditAction::kStore);
  EXPECT_EQ(records().size(), 1u);  // only the foreign record: nothing half-written

  audit_.fail = true;  // and when that recorder fails too, the store is not acknowledged
  auto refused = ingest_->store(operator_ctx(), ct_with_sop(ct, 2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace arca::service
