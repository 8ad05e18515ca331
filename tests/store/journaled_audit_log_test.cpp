#include "store/encrypted/journaled_audit_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <numeric>
#include <thread>

#include "audit/chain_verifier.h"
#include "audit/chained_recorder.h"
#include "audit_journal_support.h"
#include "core/clock.h"
#include "core/file.h"
#include "store/sqlite/sqlite_audit_log.h"
#include "test_dir.h"

namespace arca::store {
namespace {

using test::journal_key;
using test::journal_record;

class CapturingLogger final : public Logger {
 public:
  void log(LogLevel level, std::string_view m) override {
    std::lock_guard lock(mu_);
    lines_.push_back(std::string(level == LogLevel::kError  ? "E "
                                 : level == LogLevel::kWarn ? "W "
                                                            : "I ") +
                     std::string(m));
  }
  bool saw(std::string_view part) const {
    std::lock_guard lock(mu_);
    for (const auto& l : lines_) {
      if (l.find(part) != std::string::npos)
        return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// The real audit.db behind a switch that fails its inserts: a database that is down.
class FailableAuditLog final : public AuditLog {
 public:
  explicit FailableAuditLog(AuditLog& log) : log_(log) {}
  std::atomic<bool> fail{false};
  std::atomic<bool> fail_after_commit{false};  // the insert lands, yet reports an error
  std::atomic<int> inserts{0};

  Result<std::vector<AuditRecord>> read(std::uint64_t from, std::size_t limit) override {
    return log_.read(from, limit);
  }
  Result<std::vector<AuditRecord>> read_time_range(std::int64_t a, std::int64_t b, std::uint64_t c,
                                                   std::size_t d) override {
    return log_.read_time_range(a, b, c, d);
  }
  Result<std::vector<AuditRecord>> read_time_range_newest_first(std::int64_t a, std::int64_t b,
                                                                std::uint64_t c,
                                                                std::size_t d) override {
    return log_.read_time_range_newest_first(a, b, c, d);
  }
  Result<AuditKeyedPage> read_by_key(const AuditKey& key, std::int64_t a, std::int64_t b,
                                     std::uint64_t c, bool newest, std::size_t d) override {
    return log_.read_by_key(key, a, b, c, newest, d);
  }
  Result<std::optional<std::uint64_t>> first_unkeyed_record() override {
    return log_.first_unkeyed_record();
  }
  Result<AuditHead> head() override { return log_.head(); }
  Result<std::vector<AuditCheckpoint>> checkpoints() override { return log_.checkpoints(); }
  Result<void> append(const std::vector<AuditRecord>& r) override { return log_.append(r); }
  Result<void> append_unsynced(const std::vector<AuditRecord>& r) override {
    if (fail)
      return make_error(ErrorCode::kIo, "disk I/O error (injected)");
    ++inserts;
    ARCA_TRY(log_.append_unsynced(r));
    if (fail_after_commit.exchange(false))
      return make_error(ErrorCode::kIo, "commit reported failed (injected)");
    return ok();
  }
  Result<void> sync() override { return log_.sync(); }
  Result<void> append_checkpoint(const AuditCheckpoint& c) override {
    return log_.append_checkpoint(c);
  }
  Result<std::uint64_t> prune_through(std::uint64_t seq) override {
    return log_.prune_through(seq);
  }

 private:
  AuditLog& log_;
};

// A flusher that never runs by itself: the queue moves only when a caller needs it.
JournaledAuditLogOptions idle(const std::filesystem::path& file) {
  JournaledAuditLogOptions o;
  o.file = file;
  o.flush_records = 1'000'000;
  o.flush_interval = std::chrono::hours(1);
  return o;
}

std::vector<AuditRecord> records(std::uint64_t first, std::uint64_t last) {
  std::vector<AuditRecord> out;
  for (std::uint64_t s = first; s <= last; ++s)
    out.push_back(journal_record(s));
  return out;
}

class JournaledAuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen_inner(); }
  void reopen_inner() {
    inner_.reset();
    inner_ = SqliteAuditLog::open(dir_.path() / "audit.db", SecretBytes(Bytes(32, 7))).value();
  }
  std::filesystem::path journal_file() const { return dir_.path() / "audit.journal"; }
  Result<std::unique_ptr<JournaledAuditLog>> open(AuditLog& inner,
                                                  JournaledAuditLogOptions options) {
    return JournaledAuditLog::open(JournaledAuditLogDeps{inner, random_, logger_}, journal_key(),
                                   std::move(options));
  }
  std::unique_ptr<JournaledAuditLog> open_idle() {
    auto r = open(*inner_, idle(journal_file()));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).take() : nullptr;
  }
  // A journal as a crashed process leaves it: records written, never moved.
  void leave_journal(const std::vector<AuditRecord>& written) {
    auto journal =
        AuditJournal::create(journal_file(), journal_key(), random_, AuditJournal::Writes::kPwrite)
            .value();
    ASSERT_TRUE(journal.append(written).ok());
  }
  std::vector<std::uint64_t> inner_seqs() {
    std::vector<std::uint64_t> out;
    auto all = inner_->read(0, 100000);
    EXPECT_TRUE(all.ok());
    if (!all.ok())
      return out;
    for (const auto& r : all.value())
      out.push_back(r.seq);
    return out;
  }

  arca::test::TempDir dir_;
  SeededRandom random_{7};
  CapturingLogger logger_;
  std::unique_ptr<SqliteAuditLog> inner_;
};

TEST_F(JournaledAuditLogTest, EveryReaderSeesRecordsRightAfterAnUnsyncedAppend) {
  auto log = open_idle();
  ASSERT_TRUE(log->append_unsynced(records(1, 3)).ok());
  EXPECT_EQ(log->queued(), 3u);
  EXPECT_EQ(inner_->head().value().seq, 0u);  // nothing reached SQLite on the caller's path
  auto read = log->read(1, 100).value();
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[2], journal_record(3));
  EXPECT_EQ(log->queued(), 0u);

  ASSERT_TRUE(log->append_unsynced(records(4, 4)).ok());
  EXPECT_EQ(log->head().value().seq, 4u);
  ASSERT_TRUE(log->append_unsynced(records(5, 5)).ok());
  const std::int64_t t5 = journal_record(5).time_ms;
  EXPECT_EQ(log->read_time_range(t5, t5 + 1, 0, 10).value().size(), 1u);
  ASSERT_TRUE(log->append_unsynced(records(6, 6)).ok());
  const std::int64_t t6 = journal_record(6).time_ms;
  EXPECT_EQ(log->read_time_range_newest_first(t6, t6 + 1, 0, 10).value().size(), 1u);
  ASSERT_TRUE(log->append_unsynced(records(7, 7)).ok());
  auto page =
      log->read_by_key(AuditKey{AuditKeyKind::kActor, "ae:CT1"}, 0, INT64_MAX, 0, true, 10).value();
  ASSERT_FALSE(page.records.empty());
  EXPECT_EQ(page.records.front().seq, 7u);
  ASSERT_TRUE(log->append_unsynced(records(8, 8)).ok());
  EXPECT_FALSE(log->first_unkeyed_record().value().has_value());
  EXPECT_EQ(log->queued(), 0u);
  ASSERT_TRUE(log->append_unsynced(records(9, 9)).ok());
  ASSERT_TRUE(log->append_checkpoint(AuditCheckpoint{9, journal_record(9).hash, 1, "mac"}).ok());
  EXPECT_EQ(log->checkpoints().value().size(), 1u);
  EXPECT_EQ(inner_->head().value().seq, 9u);
  ASSERT_TRUE(log->append(records(10, 10)).ok());
  ASSERT_TRUE(log->append_unsynced(records(11, 11)).ok());
  auto pruned = log->prune_through(9);
  ASSERT_TRUE(pruned.ok()) << pruned.error().to_string();
  EXPECT_EQ(inner_seqs(), (std::vector<std::uint64_t>{10, 11}));
}

TEST_F(JournaledAuditLogTest, AnUnsyncedCheckpointFollowsItsRecordsIntoTheAuditLog) {
  auto log = open_idle();
  ASSERT_TRUE(log->append_unsynced(records(1, 5)).ok());
  const AuditCheckpoint third{3, journal_record(3).hash, 1, "mac3"};
  ASSERT_TRUE(log->append_checkpoint_unsynced(third).ok());
  EXPECT_EQ(inner_->head().value().seq, 0u);  // nothing reached SQLite on the caller's path
  EXPECT_TRUE(inner_->checkpoints().value().empty());
  EXPECT_EQ(log->checkpoints().value(), std::vector<AuditCheckpoint>{third});  // reads flush
  EXPECT_EQ(inner_->head().value().seq, 5u);
  // One whose records were moved already goes at the next move; a durable one after it too.
  const AuditCheckpoint fifth{5, journal_record(5).hash, 2, "mac5"};
  ASSERT_TRUE(log->append_checkpoint_unsynced(fifth).ok());
  ASSERT_TRUE(log->append_unsynced(records(6, 6)).ok());
  const AuditCheckpoint sixth{6, journal_record(6).hash, 3, "mac6"};
  ASSERT_TRUE(log->append_checkpoint(sixth).ok());
  EXPECT_EQ(inner_->checkpoints().value(), (std::vector<AuditCheckpoint>{third, fifth, sixth}));
  // sync() and appends from two threads: every append is committed, and the journal holds all.
  std::atomic<bool> done{false};
  std::thread syncer([&] {
    while (!done.load())
      EXPECT_TRUE(log->sync().ok());
  });
  for (std::uint64_t s = 7; s <= 60; ++s)
    ASSERT_TRUE(log->append_unsynced(records(s, s)).ok());
  done = true;
  syncer.join();
  ASSERT_TRUE(log->sync().ok());
  auto journal = AuditJournal::read(journal_file(), journal_key()).value();
  ASSERT_EQ(journal.records.size(), 60u);
  EXPECT_EQ(journal.records.back(), journal_record(60));
  EXPECT_EQ(log->head().value().seq, 60u);
}

TEST_F(JournaledAuditLogTest, TakenRecordsAreCommittedAsAppendedOnes) {
  auto log = open_idle();
  ASSERT_TRUE(log->take_unsynced(records(1, 3)).ok());
  EXPECT_EQ(log->queued(), 3u);
  EXPECT_EQ(inner_->head().value().seq, 0u);
  EXPECT_EQ(AuditJournal::read(journal_file(), journal_key()).value().records, records(1, 3));
  EXPECT_EQ(log->read(1, 10).value(), records(1, 3));
}

TEST_F(JournaledAuditLogTest, TheFlusherMovesRecordsInBatchesAndCloseEmptiesTheJournal) {
  JournaledAuditLogOptions o;
  o.file = journal_file();
  o.flush_records = 8;
  o.flush_interval = std::chrono::milliseconds(5);
  auto log = open(*inner_, o).value();
  for (std::uint64_t s = 1; s <= 40; ++s)
    ASSERT_TRUE(log->append_unsynced({journal_record(s)}).ok());
  ASSERT_TRUE(log->sync().ok());
  for (int i = 0; i < 500 && inner_->head().value().seq < 40; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(inner_->head().value().seq, 40u);
  log.reset();
  EXPECT_TRUE(AuditJournal::read(journal_file(), journal_key()).value().records.empty());
  EXPECT_EQ(inner_seqs().size(), 40u);
}

TEST_F(JournaledAuditLogTest, ReplaysWhatACrashLeftExactlyOnce) {
  ASSERT_TRUE(inner_->append(records(1, 2)).ok());
  leave_journal(records(1, 5));  // 1 and 2 reached audit.db before the crash, 3..5 did not
  {
    auto log = open_idle();
    EXPECT_EQ(inner_seqs(), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(inner_->read(4, 1).value().at(0), journal_record(4));
    EXPECT_TRUE(logger_.saw("replayed records 3..5"));
    EXPECT_TRUE(AuditJournal::read(journal_file(), journal_key()).value().records.empty());
  }
  auto again = open_idle();
  EXPECT_EQ(inner_seqs().size(), 5u);
}

TEST_F(JournaledAuditLogTest, ReplayAloneAppendsTheRecordsAndRemovesTheJournal) {
  // An archive opened with sync_interval_ms = 0 after a crash of one that used the journal.
  ASSERT_TRUE(inner_->append(records(1, 1)).ok());
  leave_journal(records(1, 3));
  EXPECT_EQ(JournaledAuditLog::replay(*inner_, journal_file(), journal_key(), logger_).value(), 2u);
  EXPECT_EQ(inner_seqs(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_FALSE(std::filesystem::exists(journal_file()));
  EXPECT_EQ(JournaledAuditLog::replay(*inner_, journal_file(), journal_key(), logger_).value(), 0u);
}

TEST_F(JournaledAuditLogTest, ReplaysTheJournalOfAKilledProcess) {
  // A child appends through the real decorator and dies without any destructor running.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto inner = SqliteAuditLog::open(dir_.path() / "audit.db", SecretBytes(Bytes(32, 7)));
    NullLogger quiet;
    SeededRandom random(99);
    auto log = JournaledAuditLog::open(JournaledAuditLogDeps{**inner, random, quiet}, journal_key(),
                                       idle(journal_file()));
    bool ok = log.ok() && (*log)->append_unsynced(records(1, 3)).ok() &&
              (*log)->append_unsynced(records(4, 4)).ok();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  reopen_inner();
  EXPECT_EQ(inner_->head().value().seq, 0u);
  auto log = open_idle();
  EXPECT_EQ(inner_seqs(), (std::vector<std::uint64_t>{1, 2, 3, 4}));
}

TEST_F(JournaledAuditLogTest, ATornLastRecordIsDiscardedWithALogLine) {
  leave_journal(records(1, 3));
  {
    auto f = File::open(journal_file(), File::Mode::kReadWriteExisting).value();
    ASSERT_TRUE(f.truncate(f.size().value() - 9).ok());
  }
  auto log = open_idle();
  EXPECT_EQ(inner_seqs(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(logger_.saw("W audit journal: discarded an incomplete record"));
  ASSERT_TRUE(log->append_unsynced(records(3, 3)).ok());
  EXPECT_EQ(log->head().value().seq, 3u);
}

TEST_F(JournaledAuditLogTest, AnAlteredJournalRefusesToOpenAndIsKept) {
  leave_journal(records(1, 3));
  Bytes bytes = read_file(journal_file(), 1 << 20).value();
  bytes[AuditJournal::kHeaderSize + (bytes.size() - AuditJournal::kHeaderSize) / 2] ^= 0x10;
  ASSERT_TRUE(write_file_atomic(journal_file(), bytes, 0600).ok());
  auto log = open(*inner_, idle(journal_file()));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(log.error().message.find("altered"), std::string::npos) << log.error().message;
  EXPECT_EQ(inner_->head().value().seq, 0u);
  EXPECT_EQ(read_file(journal_file(), 1 << 20).value(), bytes);
}

TEST_F(JournaledAuditLogTest, AGapOrAnotherKeyRefusesToOpen) {
  ASSERT_TRUE(inner_->append(records(1, 2)).ok());
  leave_journal(records(5, 6));
  auto gap = open(*inner_, idle(journal_file()));
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(gap.error().message.find("missing"), std::string::npos) << gap.error().message;

  leave_journal(records(3, 3));
  auto wrong = JournaledAuditLog::open(JournaledAuditLogDeps{*inner_, random_, logger_},
                                       SecretBytes(Bytes(32, 1)), idle(journal_file()));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(inner_->head().value().seq, 2u);
}

TEST_F(JournaledAuditLogTest, AFailedJournalWriteFailsTheAppend) {
  auto log = open_idle();
  ASSERT_TRUE(log->append_unsynced(records(1, 1)).ok());
  std::uint64_t head = 1;
  {
    // Not one byte past the file's size now: a mapped journal first fills the space it reserved.
    test::FileSizeLimit limit(std::filesystem::file_size(journal_file()));
    while (log->append_unsynced(records(head + 1, head + 2)).ok()) {
      head += 2;
      ASSERT_LT(head, 100'000u) << "the size limit never stopped an append";
    }
  }
  EXPECT_EQ(log->queued(), head);
  EXPECT_EQ(log->head().value().seq, head);
  // The recorder then links the same seqs again: they go through once the disk has room.
  ASSERT_TRUE(log->append_unsynced(records(head + 1, head + 2)).ok());
  EXPECT_EQ(log->head().value().seq, head + 2);
  log.reset();
  reopen_inner();
  std::vector<std::uint64_t> all(head + 2);
  std::iota(all.begin(), all.end(), std::uint64_t{1});
  EXPECT_EQ(inner_seqs(), all);
}

TEST_F(JournaledAuditLogTest, ReadsFailWhileTheAuditLogFailsAndRecoverWithoutDuplicates) {
  FailableAuditLog failable(*inner_);
  JournaledAuditLogOptions o = idle(journal_file());
  o.flush_interval = std::chrono::milliseconds(5);
  auto log = open(failable, o).value();
  failable.fail = true;
  ASSERT_TRUE(log->append_unsynced(records(1, 2)).ok());  // the journal still commits
  auto read = log->read(1, 10);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kIo);
  EXPECT_FALSE(log->head().ok());
  for (int i = 0; i < 200 && !logger_.saw("E audit:"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(logger_.saw("records kept in the journal"));
  auto refused = log->append_unsynced(records(3, 3));  // fail closed until they move again
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kIo);
  failable.fail_after_commit = true;  // the first retry lands but says it failed
  failable.fail = false;
  Result<AuditHead> head = make_error(ErrorCode::kIo, "not yet");
  for (int i = 0; i < 10 && !head.ok(); ++i)
    head = log->head();
  ASSERT_TRUE(head.ok()) << head.error().to_string();
  EXPECT_EQ(head.value().seq, 2u);
  EXPECT_FALSE(failable.fail_after_commit.load());
  ASSERT_TRUE(log->append_unsynced(records(3, 3)).ok());
  EXPECT_EQ(log->read(1, 10).value().size(), 3u);
  EXPECT_EQ(inner_seqs(), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST_F(JournaledAuditLogTest, RotatesOnceItsRecordsAreDurableInTheAuditLog) {
  JournaledAuditLogOptions o;
  o.file = journal_file();
  o.flush_records = 4;
  o.flush_interval = std::chrono::milliseconds(2);
  o.rotate_bytes = 2000;
  auto log = open(*inner_, o).value();
  for (std::uint64_t s = 1; s <= 200; ++s) {
    ASSERT_TRUE(log->append_unsynced({journal_record(s)}).ok());
    if (s % 20 == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (int i = 0; i < 200 && log->queued() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(log->read(1, 1000).value().size(), 200u);
  // What the current journal holds is replayed on top without duplicates. (Its frames, not the
  // file's size: a mapped journal reserves 1 MiB ahead.)
  auto held = AuditJournal::read(journal_file(), journal_key()).value();
  EXPECT_LT(held.intact_bytes, 200u * 300u);
  EXPECT_LT(held.records.size(), 200u);
}

TEST_F(JournaledAuditLogTest, ConcurrentRecordersAndReadersSeeOneUnbrokenChain) {
  JournaledAuditLogOptions o;
  o.file = journal_file();
  o.flush_records = 16;
  o.flush_interval = std::chrono::milliseconds(3);
  o.rotate_bytes = 16 << 10;
  auto log = open(*inner_, o).value();
  ManualClock clock{Clock::TimePoint(std::chrono::milliseconds(1'700'000'000'000))};
  audit::ChainedRecorderOptions ro;
  ro.sync_interval = std::chrono::milliseconds(5);
  ro.checkpoint_records = 100;
  audit::CheckpointSigner signer(SecretBytes(Bytes(32, 9)));
  auto recorder =
      audit::ChainedAuditRecorder::open({*log, clock, logger_}, signer.clone(), ro).value();
  std::atomic<bool> done{false};
  std::atomic<int> bad_reads{0};
  std::thread reader([&] {
    while (!done) {
      auto head = log->head();
      auto all = log->read(1, 100000);
      if (!head.ok() || !all.ok() || all.value().size() < head.value().seq) {
        ++bad_reads;
        continue;
      }
      for (std::size_t i = 0; i < all.value().size(); ++i) {
        if (all.value()[i].seq != i + 1)
          ++bad_reads;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        audit::AuditEvent e;
        e.time = clock.now();
        e.actor = "user:" + std::to_string(t);
        e.tenant = TenantId("default");
        e.action = AuditAction::kRetrieve;
        e.studies = {StudyUid("1.2.3." + std::to_string(i))};
        ASSERT_TRUE(recorder->record(e).ok());
      }
    });
  }
  for (auto& w : writers)
    w.join();
  ASSERT_TRUE(recorder->close().ok());
  done = true;
  reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  auto report = audit::verify_chain(*log, signer).value();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.records, 600u);
  recorder.reset();
  log.reset();
  reopen_inner();
  EXPECT_TRUE(audit::verify_chain(*inner_, signer).value().intact());
  EXPECT_EQ(inner_->head().value().seq, 600u);
}

}  // namespace
}  // namespace arca::store
