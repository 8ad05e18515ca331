// A patient's access report on a large audit trail: an encrypted SqliteAuditLog filled with N
// synthetic records (default 1,000,000: a busy hospital's months of reads), then every record of
// one patient found (a) through the trail's search filters (read_by_key), as AuditSearch does for
// a patient, study or exact actor filter, and (b) by scanning the trail in seq order and matching
// each record, as it does for other filters and as every search did before the filters — p50/p95
// over repeated runs. Also the cost of appending with the filters (one per 1,024 records).
// Not a test: nothing is asserted about speed.
//
//   build/bench/arca_audit_search_bench [--records N] [--runs R] [--dir D]
//
// The trail is kept in D (default /tmp/arca-audit-search-bench) and reused when it already holds
// N records, so a second run skips the fill.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_audit_log.h"

namespace arca {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kPatients = 50'000;  // 20 records per patient at 10^6 records
constexpr std::size_t kBatch = 1000;         // records per read, as AuditSearch reads

std::string patient(std::uint64_t p) {
  std::string ref = std::to_string(p * 2654435761u);
  return std::string(64 - ref.size(), 'c') + ref;  // a PatientRef is 64 hex characters
}

store::AuditRecord synthetic(std::uint64_t seq) {
  store::AuditRecord r;
  r.seq = seq;
  r.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq) * 250;
  r.actor = "user:" + std::to_string(seq % 400);
  r.tenant = "default";
  r.action = seq % 10 == 0 ? "store" : "retrieve";
  r.outcome = "success";
  r.detail = "study retrieve";
  const std::uint64_t p = (seq * 7919) % kPatients;
  r.patients = {patient(p)};
  r.studies = {"1.2.826.0.1.3680043.8.498." + std::to_string(p) + "." + std::to_string(seq % 3)};
  r.client_address = "10.0.0." + std::to_string(seq % 250) + ":51234";
  r.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0";
  r.request_id = "r" + std::to_string(seq);
  r.prev_hash = std::string(64, 'e');
  r.hash = std::string(64, 'f');
  return r;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::pair<double, double> p50_p95(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)]};
}

int run(std::uint64_t records, int runs, const fs::path& dir) {
  fs::create_directories(dir);
  auto log = store::SqliteAuditLog::open(dir / "audit.db", SecretBytes(Bytes(32, 0x33)));
  if (!log.ok()) {
    std::fprintf(stderr, "open: %s\n", log.error().to_string().c_str());
    return 1;
  }
  store::SqliteAuditLog& trail = **log;
  std::uint64_t have = trail.head().value().seq;
  if (have != records) {
    if (have > records) {
      std::fprintf(stderr, "%s holds %llu records; remove it or ask for more\n", dir.c_str(),
                   static_cast<unsigned long long>(have));
      return 1;
    }
    auto t = Clock::now();
    for (std::uint64_t s = have + 1; s <= records; s += 5000) {
      std::vector<store::AuditRecord> batch;
      for (std::uint64_t i = s; i < std::min(records + 1, s + 5000); ++i)
        batch.push_back(synthetic(i));
      if (!trail.append_unsynced(batch).ok())
        return 1;
    }
    (void)trail.sync();
    std::printf("filled %llu records in %.1f s (%.1f MB)\n",
                static_cast<unsigned long long>(records), ms_since(t) / 1000,
                static_cast<double>(fs::file_size(dir / "audit.db")) / 1e6);
  }

  const std::string wanted = patient(4242);
  std::size_t keyed_found = 0, scan_found = 0;
  std::vector<double> keyed, scanned;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    keyed_found = 0;
    std::uint64_t cursor = 0;
    for (;;) {
      auto page = trail
                      .read_by_key(store::AuditKey{store::AuditKeyKind::kPatient, wanted}, 0,
                                   INT64_MAX, cursor, false, kBatch)
                      .value();
      keyed_found += page.records.size();
      if (page.end)
        break;
      cursor = page.cursor;
    }
    keyed.push_back(ms_since(t));
  }
  for (int i = 0; i < std::min(runs, 3); ++i) {  // a whole-trail scan: a few runs suffice
    auto t = Clock::now();
    scan_found = 0;
    std::uint64_t cursor = 0;
    for (;;) {
      auto page = trail.read_time_range(0, INT64_MAX, cursor, kBatch).value();
      for (const auto& r : page)
        scan_found += std::count(r.patients.begin(), r.patients.end(), wanted) > 0 ? 1 : 0;
      if (page.size() < kBatch)
        break;
      cursor = page.back().seq;
    }
    scanned.push_back(ms_since(t));
  }
  auto [k50, k95] = p50_p95(keyed);
  auto [s50, s95] = p50_p95(scanned);
  std::printf("one patient's whole report over %llu records (%zu and %zu found):\n",
              static_cast<unsigned long long>(records), keyed_found, scan_found);
  std::printf("  through the search keys: p50 %.2f ms, p95 %.2f ms (%d runs)\n", k50, k95, runs);
  std::printf(
      "  scanning the trail:      p50 %.0f ms, p95 %.0f ms (%zu runs; a search stops "
      "every 200,000 records and is asked again)\n",
      s50, s95, scanned.size());
  return keyed_found == scan_found ? 0 : 1;
}

}  // namespace
}  // namespace arca

int main(int argc, char** argv) {
  std::uint64_t records = 1'000'000;
  int runs = 20;
  std::filesystem::path dir = "/tmp/arca-audit-search-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--records") == 0)
      records = std::stoull(argv[i + 1]);
    else if (std::strcmp(argv[i], "--runs") == 0)
      runs = std::stoi(argv[i + 1]);
    else if (std::strcmp(argv[i], "--dir") == 0)
      dir = argv[i + 1];
  }
  return arca::run(records, runs, dir);
}
