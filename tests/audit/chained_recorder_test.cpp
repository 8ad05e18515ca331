#include "audit/chained_recorder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "audit/chain_verifier.h"
#include "audit_fixture.h"

namespace arca::audit {
namespace {

using test::event;

class ChainedRecorderTest : public test::AuditTest {
 protected:
  VerifyReport verify() { return verify_chain(*log_, CheckpointSigner(test::mac_key())).value(); }
};

// The real log, with appends that fail on demand (a full disk, a locked database).
class FailingAuditLog final : public store::AuditLog {
 public:
  explicit FailingAuditLog(store::AuditLog& inner) : inner_(inner) {}
  Result<std::vector<store::AuditRecord>> read(std::uint64_t from, std::size_t limit) override {
    return inner_.read(from, limit);
  }
  Result<std::vector<store::AuditRecord>> read_time_range(std::int64_t a, std::int64_t b,
                                                          std::uint64_t after,
                                                          std::size_t limit) override {
    return inner_.read_time_range(a, b, after, limit);
  }
  Result<std::vector<store::AuditRecord>> read_time_range_newest_first(std::int64_t a,
                                                                       std::int64_t b,
                                                                       std::uint64_t before,
                                                                       std::size_t limit) override {
    return inner_.read_time_range_newest_first(a, b, before, limit);
  }
  Result<store::AuditKeyedPage> read_by_key(const store::AuditKey& key, std::int64_t a,
                                            std::int64_t b, std::uint64_t cursor, bool newest_first,
                                            std::size_t limit) override {
    return inner_.read_by_key(key, a, b, cursor, newest_first, limit);
  }
  Result<std::optional<std::uint64_t>> first_unkeyed_record() override {
    return inner_.first_unkeyed_record();
  }
  Result<store::AuditHead> head() override { return inner_.head(); }
  Result<std::vector<store::AuditCheckpoint>> checkpoints() override {
    return inner_.checkpoints();
  }
  Result<void> append(const std::vector<store::AuditRecord>& records) override {
    if (fail)
      return make_error(ErrorCode::kOutOfSpace, "disk full");
    return inner_.append(records);
  }
  Result<void> append_unsynced(const std::vector<store::AuditRecord>& records) override {
    if (fail)
      return make_error(ErrorCode::kOutOfSpace, "disk full");
    return inner_.append_unsynced(records);
  }
  Result<void> sync() override {
    ++syncs;
    std::unique_lock lock(mu_);
    held_.wait(lock, [&] { return !hold_sync; });
    return inner_.sync();
  }
  Result<void> append_checkpoint(const store::AuditCheckpoint& c) override {
    {
      std::lock_guard lock(mu_);
      checkpoint_threads.push_back(std::this_thread::get_id());
    }
    return inner_.append_checkpoint(c);
  }
  Result<void> append_checkpoint_unsynced(const store::AuditCheckpoint& c) override {
    {
      std::lock_guard lock(mu_);
      checkpoint_threads.push_back(std::this_thread::get_id());
    }
    ++unsynced_checkpoints;
    return inner_.append_checkpoint_unsynced(c);
  }
  // sync() waits while held.
  void hold(bool on) {
    {
      std::lock_guard lock(mu_);
      hold_sync = on;
    }
    held_.notify_all();
  }
  std::vector<std::thread::id> checkpointed_by() {
    std::lock_guard lock(mu_);
    return checkpoint_threads;
  }
  Result<std::uint64_t> prune_through(std::uint64_t seq) override {
    return inner_.prune_through(seq);
  }
  std::atomic<bool> fail{false};
  std::atomic<int> syncs{0};
  std::atomic<int> unsynced_checkpoints{0};

 private:
  store::AuditLog& inner_;
  std::mutex mu_;
  std::condition_variable held_;
  bool hold_sync = false;
  std::vector<std::thread::id> checkpoint_threads;
};

TEST_F(ChainedRecorderTest, RecordsAChainThatVerifies) {
  write_log(10);
  auto records = log_->read(1, 100).value();
  ASSERT_EQ(records.size(), 10u);
  EXPECT_EQ(records[0].prev_hash, kGenesisHash);
  for (std::size_t i = 1; i < records.size(); ++i)
    EXPECT_EQ(records[i].prev_hash, records[i - 1].hash);
  EXPECT_EQ(records[3].actor, "ae:CT1");
  auto report = verify();
  EXPECT_TRUE(report.intact()) << report.first_break->message;
  EXPECT_EQ(report.records, 10u);
  EXPECT_EQ(report.head, 10u);
}

TEST_F(ChainedRecorderTest, SignsEveryNRecordsAndOnClose) {
  ChainedRecorderOptions options;
  options.checkpoint_records = 4;
  write_log(10, options);
  auto cps = log_->checkpoints().value();
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_EQ(cps[0].seq, 4u);
  EXPECT_EQ(cps[1].seq, 8u);
  EXPECT_EQ(cps[2].seq, 10u);  // close()
  EXPECT_TRUE(CheckpointSigner(test::mac_key()).valid(cps[2]));
}

TEST_F(ChainedRecorderTest, SignsAfterTheIntervalWhenRecordsArrived) {
  ChainedRecorderOptions options;
  options.checkpoint_interval = std::chrono::seconds(30);
  auto rec = recorder(options);
  ASSERT_TRUE(rec->record(event(1)).ok());
  EXPECT_TRUE(log_->checkpoints().value().empty());
  clock_.advance(std::chrono::seconds(31));
  ASSERT_TRUE(rec->record(event(2)).ok());
  auto cps = log_->checkpoints().value();
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].seq, 2u);
}

TEST_F(ChainedRecorderTest, ContinuesTheChainAcrossRestarts) {
  write_log(3);
  {
    auto rec = recorder();
    ASSERT_TRUE(rec->record(event(4)).ok());
  }  // the destructor closes and signs
  auto records = log_->read(1, 100).value();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[3].prev_hash, records[2].hash);
  EXPECT_TRUE(verify().intact());
  EXPECT_EQ(log_->checkpoints().value().back().seq, 4u);
}

TEST_F(ChainedRecorderTest, ConcurrentCallersShareCommits) {
  auto rec = recorder();
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!rec->record(event(t * kEach + i)).ok())
          ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LT(rec->commits(), std::uint64_t{kThreads * kEach});
  ASSERT_TRUE(rec->close().ok());
  auto report = verify();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.records, std::uint64_t{kThreads * kEach});
}

TEST_F(ChainedRecorderTest, AFailedAppendFailsTheCallerAndKeepsTheHead) {
  FailingAuditLog failing(*log_);
  auto rec = ChainedAuditRecorder::open(ChainedRecorderDeps{failing, clock_, logger_},
                                        CheckpointSigner(test::mac_key()), {})
                 .value();
  ASSERT_TRUE(rec->record(event(1)).ok());
  failing.fail = true;
  auto refused = rec->record(event(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOutOfSpace);
  failing.fail = false;
  ASSERT_TRUE(rec->record(event(3)).ok());
  ASSERT_TRUE(rec->close().ok());
  auto records = log_->read(1, 10).value();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].seq, 2u);
  EXPECT_EQ(records[1].request_id, "r3");
  EXPECT_TRUE(verify().intact());
}

TEST_F(ChainedRecorderTest, RefusesAfterClose) {
  auto rec = recorder();
  ASSERT_TRUE(rec->close().ok());
  EXPECT_EQ(rec->record(event(1)).error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace arca::audit

namespace arca::audit {
namespace {

TEST_F(ChainedRecorderTest, OpeningAndClosingSignsNoForeignTail) {
  write_log(2);
  auto last = log_->read(2, 1).value().at(0);
  auto forged = last;
  link(forged, 3, last.hash);
  ASSERT_TRUE(log_->append({forged}).ok());
  ASSERT_TRUE(recorder()->close().ok());
  EXPECT_EQ(log_->checkpoints().value().back().seq, 2u);
  EXPECT_EQ(verify().first_break->kind, BreakKind::kUnsignedTail);
}

}  // namespace
}  // namespace arca::audit

namespace arca::audit {
namespace {

class CapturingLogger final : public Logger {
 public:
  void log(LogLevel level, std::string_view message) override {
    if (level == LogLevel::kError)
      errors.emplace_back(message);
  }
  std::vector<std::string> errors;
};

TEST_F(ChainedRecorderTest, AlertModeLetsTheAccessThroughAndRaisesAnAlert) {
  FailingAuditLog failing(*log_);
  auto rec = ChainedAuditRecorder::open(ChainedRecorderDeps{failing, clock_, logger_},
                                        CheckpointSigner(test::mac_key()), {})
                 .value();
  CapturingLogger alerts;
  AlertingAuditRecorder alerting(*rec, alerts);
  failing.fail = true;
  EXPECT_TRUE(alerting.record(event(1)).ok());
  ASSERT_EQ(alerts.errors.size(), 1u);
  EXPECT_NE(alerts.errors[0].find("ALERT"), std::string::npos);
  EXPECT_NE(alerts.errors[0].find("\"request_id\":\"r1\""), std::string::npos);
  failing.fail = false;
  EXPECT_TRUE(alerting.record(event(2)).ok());
  EXPECT_EQ(alerts.errors.size(), 1u);
  EXPECT_EQ(log_->head().value().seq, 1u);
}

TEST_F(ChainedRecorderTest, FailOpenCanBeLimitedToSomeTenants) {
  FailingAuditLog failing(*log_);
  auto rec = ChainedAuditRecorder::open(ChainedRecorderDeps{failing, clock_, logger_},
                                        CheckpointSigner(test::mac_key()), {})
                 .value();
  CapturingLogger alerts;
  AlertingAuditRecorder alerting(*rec, alerts, {"research"});
  failing.fail = true;
  AuditEvent research = event(1);
  research.tenant = TenantId("research");
  EXPECT_TRUE(alerting.record(research).ok());
  EXPECT_EQ(alerts.errors.size(), 1u);
  AuditEvent clinic = event(2);
  clinic.tenant = TenantId("clinic");
  EXPECT_FALSE(alerting.record(clinic).ok());  // still fails closed
  EXPECT_EQ(alerts.errors.size(), 1u);
}

}  // namespace
}  // namespace arca::audit

namespace arca::audit {
namespace {

TEST_F(ChainedRecorderTest, TheFirstBatchAfterAnUnsignedTailNotesIt) {
  write_log(2);
  auto last = log_->read(2, 1).value().at(0);
  auto tail = last;
  link(tail, 3, last.hash);
  ASSERT_TRUE(log_->append({tail}).ok());  // e.g. written just before a crash
  auto rec = recorder();
  ASSERT_TRUE(rec->record(event(4)).ok());
  ASSERT_TRUE(rec->close().ok());
  auto records = log_->read(1, 10).value();
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[3].actor, "arca");
  EXPECT_EQ(records[3].error_code, "integrity");
  EXPECT_NE(records[3].detail.find("records 3..3 were not covered"), std::string::npos);
  EXPECT_EQ(records[4].request_id, "r4");
  EXPECT_TRUE(verify().intact());
}

}  // namespace
}  // namespace arca::audit

namespace arca::audit {
namespace {

using namespace std::chrono_literals;

class DeferredSyncTest : public test::AuditTest {
 protected:
  // A recorder over `log` that syncs every 10 ms (and checkpoints every `checkpoint_records`).
  std::unique_ptr<ChainedAuditRecorder> deferred(store::AuditLog& log,
                                                 std::uint64_t checkpoint_records = 0) {
    ChainedRecorderOptions options;
    options.sync_interval = 10ms;
    if (checkpoint_records > 0)
      options.checkpoint_records = checkpoint_records;
    return ChainedAuditRecorder::open(ChainedRecorderDeps{log, clock_, logger_},
                                      CheckpointSigner(test::mac_key()), options)
        .value();
  }
};

TEST_F(DeferredSyncTest, RecordsAreSyncedWithinTheIntervalAndStillFailClosed) {
  FailingAuditLog failing(*log_);
  ChainedRecorderOptions options;
  options.sync_interval = 20ms;
  auto rec = ChainedAuditRecorder::open(ChainedRecorderDeps{failing, clock_, logger_},
                                        CheckpointSigner(test::mac_key()), options)
                 .value();
  ASSERT_TRUE(rec->record(event(1)).ok());
  EXPECT_EQ(log_->head().value().seq, 1u);  // committed (visible) when record() returns
  for (int i = 0; i < 200 && failing.syncs.load() == 0; ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(failing.syncs.load(), 1);  // made durable by the timer, once
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(failing.syncs.load(), 1);  // nothing new: no sync
  failing.fail = true;                 // a commit that fails still refuses the access
  auto refused = rec->record(event(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOutOfSpace);
  failing.fail = false;
  ASSERT_TRUE(rec->close().ok());
  EXPECT_TRUE(verify_chain(*log_, CheckpointSigner(test::mac_key())).value().intact());
}

// With a sync interval the checkpoints due every N records are committed as the records are
// (unsynced: with the journal, the caller does not wait for audit.db); close() signs durably.
TEST_F(DeferredSyncTest, CheckpointsAreCommittedLikeTheRecords) {
  FailingAuditLog log(*log_);
  auto rec = deferred(log, 3);
  for (int i = 1; i <= 4; ++i)
    ASSERT_TRUE(rec->record(event(i)).ok());
  EXPECT_EQ(log.unsynced_checkpoints.load(), 1);
  EXPECT_EQ(log.checkpointed_by().size(), 1u);  // no durable one yet
  ASSERT_TRUE(rec->close().ok());
  EXPECT_EQ(log.unsynced_checkpoints.load(), 1);
  EXPECT_EQ(log.checkpointed_by().size(), 2u);
  auto cps = log_->checkpoints().value();
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(cps[0].seq, 3u);
  EXPECT_EQ(cps[1].seq, 4u);
  EXPECT_TRUE(CheckpointSigner(test::mac_key()).valid(cps[0]));
  EXPECT_TRUE(verify_chain(*log_, CheckpointSigner(test::mac_key())).value().intact());
}

// close() makes the head's checkpoint durable even when it was committed unsynced already.
TEST_F(DeferredSyncTest, CloseCommitsAnUnsyncedCheckpointOfTheHeadDurably) {
  FailingAuditLog log(*log_);
  auto rec = deferred(log, 3);
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(rec->record(event(i)).ok());
  EXPECT_EQ(log.unsynced_checkpoints.load(), 1);
  ASSERT_TRUE(rec->close().ok());
  EXPECT_EQ(log.checkpointed_by().size(), 2u);  // the unsynced one, then the durable one
  auto cps = log_->checkpoints().value();
  ASSERT_EQ(cps.size(), 1u);  // the same checkpoint, once
  EXPECT_EQ(cps[0].seq, 3u);
}

// The timer's sync (an fdatasync of the journal) does not hold the writer's turn: records are
// appended while it runs.
TEST_F(DeferredSyncTest, RecordsAreAppendedWhileTheTimerSyncs) {
  FailingAuditLog log(*log_);
  auto rec = deferred(log);
  log.hold(true);
  ASSERT_TRUE(rec->record(event(1)).ok());
  for (int i = 0; i < 400 && log.syncs.load() == 0; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(log.syncs.load(), 1);  // the timer is inside sync() now, held there
  auto second = std::async(std::launch::async, [&] { return rec->record(event(2)); });
  const bool answered = second.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  log.hold(false);
  EXPECT_TRUE(answered) << "record() waited for the timer's sync";
  EXPECT_TRUE(second.get().ok());
  for (int i = 0; i < 400 && log.syncs.load() < 2; ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_GE(log.syncs.load(), 2);  // record 2 is synced by a later tick
  ASSERT_TRUE(rec->close().ok());
  EXPECT_EQ(log_->head().value().seq, 2u);
}

}  // namespace
}  // namespace arca::audit
