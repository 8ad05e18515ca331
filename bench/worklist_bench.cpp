// The worklist at scale: an encrypted SqliteIndex filled with 100,000 synthetic studies (through
// the Index interface, no HTTP, no blobs), then the queries the web app's worklist sends — one
// page of 25, sorted — timed as p50/p95 over repeated runs, each with its total count (the
// "Studies 1–25 of N" line). Not a test: nothing is asserted about speed.
//
//   build/bench/arca_worklist_bench [--studies N] [--runs R] [--dir D] [--plans]
//
// The index is kept in D (default /tmp/arca-worklist-bench) and reused when it already holds N
// studies, so a second run skips the fill. --plans prints SQLite's query plan of each query.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_index.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_schema.h"

namespace arca {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const TenantId kTenant("default");
SecretBytes key() {
  return SecretBytes(Bytes(32, 0x5a));
}

const char* kSurnames[] = {"SMITH",    "JOHNSON", "WILLIAMS", "BROWN",    "JONES",   "GARCIA",
                           "MILLER",   "DAVIS",   "MARTIN",   "MUELLER",  "SCHMIDT", "SCHNEIDER",
                           "FISCHER",  "WEBER",   "MEYER",    "WAGNER",   "BECKER",  "SCHULZ",
                           "HOFFMANN", "KOCH",    "DUBOIS",   "DURAND",   "LEROY",   "MOREAU",
                           "ROSSI",    "RUSSO",   "FERRARI",  "ESPOSITO", "BIANCHI", "ROMANO"};
const char* kGiven[] = {"ANNA", "BEN", "CARLA", "DAVID", "EVA", "FELIX", "GRETA", "HUGO",
                        "IDA",  "JAN", "KARL",  "LEA",   "MAX", "NORA",  "OTTO",  "PIA"};
const char* kDescriptions[] = {"CT HEAD W/O CONTRAST",
                               "CT CHEST",
                               "MR KNEE LEFT",
                               "MR BRAIN",
                               "XR CHEST PA/LAT",
                               "US ABDOMEN",
                               "MG SCREENING BILATERAL",
                               "CT ABDOMEN PELVIS",
                               "MR LUMBAR SPINE",
                               "XR HAND RIGHT",
                               ""};
const char* kModalities[] = {"CT", "MR", "CR", "DX", "US", "MG"};

store::StoredInstance synthetic(int s, std::mt19937& rng) {
  store::StoredInstance in;
  const int patient = s / 3;  // three studies per patient on average
  in.tenant = kTenant;
  in.patient_ref = PatientRef("ref-" + std::to_string(patient));
  auto& a = in.attributes;
  a.specific_character_set = "ISO_IR 192";
  a.patient.patient_id = "PID" + std::to_string(1000000 + patient * 7919 % 900000);
  a.patient.patient_name = std::string(kSurnames[patient % 30]) + "-" +
                           std::to_string(patient % 997) + "^" + kGiven[patient % 16];
  a.patient.birth_date = std::to_string(19300101 + (patient % 80) * 10000);
  a.patient.sex = patient % 2 ? "F" : "M";
  const std::string uid = "1.2.826.0.1.3680043.10.543.7." + std::to_string(s);
  a.study.study_uid = StudyUid(uid);
  // Ten years of dates, a few studies per minute of a working day.
  const int day = static_cast<int>(rng() % 3650);
  char date[9];
  std::snprintf(date, sizeof date, "%04d%02d%02d", 2016 + day / 365, 1 + day % 365 / 31 % 12,
                1 + day % 28);
  a.study.study_date = date;
  char time[7];
  std::snprintf(time, sizeof time, "%02d%02d%02d", 7 + static_cast<int>(rng() % 12),
                static_cast<int>(rng() % 60), static_cast<int>(rng() % 60));
  a.study.study_time = time;
  a.study.accession_number = s % 20 == 0 ? "" : "ACC" + std::to_string(5000000 + s);
  a.study.study_description = kDescriptions[rng() % 11];
  a.study.study_id = std::to_string(s);
  a.series.series_uid = SeriesUid(uid + ".1");
  a.series.modality = kModalities[rng() % 6];
  a.series.series_number = 1;
  a.instance.sop_instance_uid = InstanceUid(uid + ".1.1");
  a.instance.sop_class_uid = SopClassUid("1.2.840.10008.5.1.4.1.1.2");
  a.instance.transfer_syntax = TransferSyntaxUid("1.2.840.10008.1.2.1");
  a.instance.instance_number = 1;
  char blob[40];
  std::snprintf(blob, sizeof blob, "%032x", s + 1);
  in.blob = store::BlobId(blob);
  in.size = 500000;
  in.sha256 = std::string(64, 'a');
  in.received_ms = 1700000000000 + s;
  return in;
}

void fill(store::SqliteIndex& index, int studies) {
  std::mt19937 rng(42);
  auto start = Clock::now();
  auto tx = index.begin().take();
  for (int s = 0; s < studies; ++s) {
    if (!tx->put_instance(synthetic(s, rng), store::ConflictPolicy::kKeepFirst).ok()) {
      std::fprintf(stderr, "put failed\n");
      std::exit(1);
    }
    if ((s + 1) % 2000 == 0) {
      (void)tx->commit();
      tx = index.begin().take();
    }
  }
  (void)tx->commit();
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("filled %d studies in %.1f s (%.0f studies/s, batches of 2000)\n", studies, s,
              studies / s);
}

void print_plan(const fs::path& file, const Query& q) {
  auto sql = store::sqlite::build_query(kTenant, q).take();
  store::sqlite::ConnectionOptions o{file, store::sqlite::OpenMode::kReadOnly, 1000,
                                     2048, store::sqlite::kIndexApplicationId, "index"};
  auto conn = store::sqlite::Connection::open(o, key()).take();
  auto st = conn->prepare("EXPLAIN QUERY PLAN " + sql.sql).take();
  st.bind_all(sql.params);
  while (*st.step())
    std::printf("        plan: %s\n", st.column_text(3).c_str());
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

struct Options {
  int studies = 100000;
  int runs = 30;
  fs::path dir = "/tmp/arca-worklist-bench";
  bool plans = false;
};

void measure(store::SqliteIndex& index, const Options& opt, const char* what, const Query& q) {
  if (opt.plans)
    print_plan(opt.dir / "index.db", q);
  std::vector<double> page_ms, count_ms;
  std::size_t rows = 0;
  std::uint64_t total = 0;
  for (int r = 0; r < opt.runs; ++r) {
    auto t0 = Clock::now();
    rows = index.query(kTenant, q).take().size();
    auto t1 = Clock::now();
    total = index.count(kTenant, q).take();
    auto t2 = Clock::now();
    page_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    count_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  std::printf("  %-44s %3zu of %6llu  page p50 %7.2f p95 %7.2f ms   count p50 %7.2f p95 %7.2f ms\n",
              what, rows, static_cast<unsigned long long>(total), percentile(page_ms, 0.5),
              percentile(page_ms, 0.95), percentile(count_ms, 0.5), percentile(count_ms, 0.95));
}

int run(const Options& opt) {
  fs::create_directories(opt.dir);
  auto index = store::SqliteIndex::open(opt.dir / "index.db", key()).take();
  Query all{QueryLevel::kStudy, {}, 0, 0};
  auto have = index->count(kTenant, all).take();
  if (have != static_cast<std::uint64_t>(opt.studies)) {
    if (have != 0) {
      std::fprintf(stderr, "%s holds %llu studies; remove it first\n", opt.dir.c_str(),
                   static_cast<unsigned long long>(have));
      return 1;
    }
    fill(*index, opt.studies);
  }
  std::printf("%d studies, %d runs per query, %.1f MB index\n", opt.studies, opt.runs,
              static_cast<double>(fs::file_size(opt.dir / "index.db")) / 1e6);
  using A = QueryAttribute;
  using D = SortDirection;
  auto page = [](std::vector<Matcher> m, std::vector<SortTerm> order, std::size_t offset = 0) {
    return Query{QueryLevel::kStudy, std::move(m), 26, offset, std::move(order)};
  };
  auto match = [](A a, const char* v) { return *parse_matcher(a, v).matcher; };
  const std::vector<SortTerm> newest{{A::kStudyDate, D::kDescending}};
  measure(*index, opt, "first page, newest first", page({}, newest));
  measure(*index, opt, "deep page (offset 50000), newest first", page({}, newest, 50000));
  measure(*index, opt, "name contains *mueller-4*, newest first",
          page({match(A::kPatientName, "*mueller-4*")}, newest));
  measure(*index, opt, "name prefix smith*, newest first",
          page({match(A::kPatientName, "smith*")}, newest));
  measure(*index, opt, "date range (one month), newest first",
          page({match(A::kStudyDate, "20200101-20200131")}, newest));
  measure(*index, opt, "date range + modality CT, by name",
          page({match(A::kStudyDate, "20200101-20200131"), match(A::kModalitiesInStudy, "CT")},
               {{A::kPatientName, D::kAscending}}));
  const std::pair<const char*, A> keys[] = {
      {"patient name", A::kPatientName},     {"patient ID", A::kPatientId},
      {"accession", A::kAccessionNumber},    {"modality", A::kModalitiesInStudy},
      {"description", A::kStudyDescription}, {"study date", A::kStudyDate}};
  for (const auto& [name, a] : keys) {
    for (D d : {D::kAscending, D::kDescending}) {
      std::string what =
          std::string("first page by ") + name + (d == D::kAscending ? " asc" : " desc");
      measure(*index, opt, what.c_str(), page({}, {{a, d}}));
    }
    std::string deep = std::string("deep page (offset 50000) by ") + name;
    measure(*index, opt, deep.c_str(), page({}, {{a, D::kAscending}}, 50000));
  }
  return 0;
}

}  // namespace
}  // namespace arca

int main(int argc, char** argv) {
  arca::Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--studies" && i + 1 < argc)
      opt.studies = std::atoi(argv[++i]);
    else if (a == "--runs" && i + 1 < argc)
      opt.runs = std::atoi(argv[++i]);
    else if (a == "--dir" && i + 1 < argc)
      opt.dir = argv[++i];
    else if (a == "--plans")
      opt.plans = true;
    else {
      std::fprintf(stderr, "usage: %s [--studies N] [--runs R] [--dir D] [--plans]\n", argv[0]);
      return 2;
    }
  }
  return arca::run(opt);
}
