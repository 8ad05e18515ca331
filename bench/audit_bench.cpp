// Cost of the audit trail per recorded event: ChainedAuditRecorder over a real SqliteAuditLog
// (encrypted, WAL, synchronous=FULL) in a temp directory, with 1 and 4 concurrent callers (as
// `arca import --jobs 4` has); BM_Record on disk before record() returns (sync_interval 0),
// BM_RecordCommitted committed to audit.db and synced within 100 ms (docs/adr/0013), and
// BM_RecordJournaled as `arca serve` ships since docs/adr/0017: committed to the encrypted audit
// journal, moved into audit.db by a background thread (its CPU is in the CPU column: process
// time of every thread, for these two).
// The parts of one record on the caller's path, one at a time (BM_Part*): the event made a
// record, the record's chain hash, and its journal frame written (sealed and pwritten).
// Compare the CPU time per event with ingest's CPU ms per instance (bench/ingest.py). Not a test:
// no timed assertions. Run: build/bench/arca_audit_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "audit/chained_recorder.h"
#include "audit/record_chain.h"
#include "crypto/system_random.h"
#include "store/encrypted/audit_journal.h"
#include "store/encrypted/journaled_audit_log.h"
#include "store/sqlite/sqlite_audit_log.h"

namespace arca::audit {
namespace {

AuditEvent event(int i) {
  AuditEvent e;
  e.time = std::chrono::system_clock::now();
  e.actor = "ae:MODALITY1";
  e.tenant = TenantId("default");
  e.action = AuditAction::kStore;
  e.detail = "stored";
  e.patients = {PatientRef(std::string(64, 'a'))};
  e.studies = {StudyUid("1.2.826.0.1.3680043.8.498.1")};
  e.series = {SeriesUid("1.2.826.0.1.3680043.8.498.1.2")};
  e.instances = {InstanceUid("1.2.826.0.1.3680043.8.498.1.2." + std::to_string(i))};
  e.client_address = "127.0.0.1:40000";
  e.request_id = "r" + std::to_string(i);
  return e;
}

// state.range(0) callers, each recording 100 events per iteration.
void record_events(benchmark::State& state, std::chrono::milliseconds sync_interval,
                   bool journaled = false) {
  const int callers = static_cast<int>(state.range(0));
  constexpr int kEach = 100;
  auto dir = std::filesystem::temp_directory_path() /
             ("arca-audit-bench-" + std::to_string(::getpid()) + "-" + std::to_string(callers));
  std::filesystem::create_directories(dir);
  {
    SystemClock clock;
    NullLogger logger;
    crypto::SystemRandom random;
    auto sqlite_log =
        store::SqliteAuditLog::open(dir / "audit.db", SecretBytes(Bytes(32, 7))).value();
    std::unique_ptr<store::JournaledAuditLog> journal;
    store::AuditLog* log = sqlite_log.get();
    if (journaled) {
      store::JournaledAuditLogOptions o;
      o.file = dir / "audit.journal";
      journal = store::JournaledAuditLog::open({*sqlite_log, random, logger},
                                               SecretBytes(Bytes(32, 5)), o)
                    .value();
      log = journal.get();
    }
    ChainedRecorderOptions options;
    options.sync_interval = sync_interval;
    auto recorder = ChainedAuditRecorder::open(ChainedRecorderDeps{*log, clock, logger},
                                               CheckpointSigner(SecretBytes(Bytes(32, 9))), options)
                        .value();
    for (auto _ : state) {
      std::vector<std::jthread> threads;
      for (int t = 0; t < callers; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kEach; ++i) {
            if (!recorder->record(event(t * kEach + i)).ok())
              state.SkipWithError("record failed");
          }
        });
      }
    }
    state.SetItemsProcessed(state.iterations() * callers * kEach);
    state.counters["commits"] = static_cast<double>(recorder->commits());
    recorder.reset();
  }
  std::filesystem::remove_all(dir);
}

void BM_Record(benchmark::State& state) {
  record_events(state, std::chrono::milliseconds(0));
}
void BM_RecordCommitted(benchmark::State& state) {
  record_events(state, std::chrono::milliseconds(100));
}
void BM_RecordJournaled(benchmark::State& state) {
  record_events(state, std::chrono::milliseconds(100), true);
}

// A read's event, as RetrieveService records it (WADO-RS instance, one study and patient).
AuditEvent read_event(int i) {
  AuditEvent e;
  e.time = std::chrono::system_clock::now();
  e.actor = "token:7";
  e.tenant = TenantId("default");
  e.action = AuditAction::kRetrieve;
  e.patients = {PatientRef(std::string(64, 'a'))};
  e.studies = {StudyUid("1.2.826.0.1.3680043.8.498.10237484839201817281918273645")};
  e.instances = {InstanceUid("1.2.826.0.1.3680043.8.498.10237484839201817281918273645.1." +
                             std::to_string(i))};
  e.client_address = "127.0.0.1:40000";
  e.user_agent = "Python-urllib/3.11";
  e.request_id = "5f0c2a9d8e7b4c31";
  return e;
}

void BM_PartToRecord(benchmark::State& state) {
  const AuditEvent e = read_event(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(to_record(e));
}

void BM_PartChainHash(benchmark::State& state) {
  store::AuditRecord r = to_record(read_event(1));
  std::string prev(kGenesisHash);
  std::uint64_t seq = 0;
  for (auto _ : state) {
    link(r, ++seq, prev);
    prev = r.hash;
  }
}

void BM_PartJournalFrame(benchmark::State& state) {
  auto dir = std::filesystem::temp_directory_path() /
             ("arca-audit-bench-journal-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    crypto::SystemRandom random;
    auto journal =
        store::AuditJournal::create(dir / "audit.journal", SecretBytes(Bytes(32, 5)), random)
            .value();
    std::vector<store::AuditRecord> one{to_record(read_event(1))};
    link(one[0], 1, kGenesisHash);
    std::uint64_t seq = 0;
    for (auto _ : state) {
      if (journal.size() > (std::uint64_t{4} << 20)) {
        state.PauseTiming();
        journal =
            store::AuditJournal::create(dir / "audit.journal", SecretBytes(Bytes(32, 5)), random)
                .value();
        state.ResumeTiming();
      }
      one[0].seq = ++seq;
      if (!journal.append(one).ok())
        state.SkipWithError("append failed");
    }
  }
  std::filesystem::remove_all(dir);
}

BENCHMARK(BM_PartToRecord);
BENCHMARK(BM_PartChainHash);
BENCHMARK(BM_PartJournalFrame);
BENCHMARK(BM_Record)->Arg(1)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RecordCommitted)
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RecordJournaled)
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace arca::audit

BENCHMARK_MAIN();
