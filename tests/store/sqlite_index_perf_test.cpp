// Measurements, not checks: run with --gtest_also_run_disabled_tests
// --gtest_filter='*Perf*' (ARCA_PERF_STUDIES sets the number of studies, default 10000).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "store/index_contract.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_index.h"
#include "store/sqlite/sqlite_query.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// `studies` studies of 2 series x 2 instances, 3 studies per patient, committed in batches.
void insert_studies(SqliteIndex& index, int studies) {
  const char* modalities[] = {"CT", "MR", "US", "CR", "SR"};
  int n = 0;
  auto start = Clock::now();
  auto tx = testing::begin_tx(index);
  for (int s = 0; s < studies; ++s) {
    std::string study = "1.2.840.99." + std::to_string(s);
    for (int k = 0; k < 4; ++k) {
      auto inst = testing::sample_instance(++n, study, study + "." + std::to_string(k / 2));
      inst.patient_ref = PatientRef("ref-" + std::to_string(s / 3));
      auto& a = inst.attributes;
      a.patient.patient_id = "PID" + std::to_string(s / 3);
      a.patient.patient_name = (s % 100 == 0 ? "SMITH^" : "DOE^") + std::to_string(s);
      a.study.study_date =
          std::to_string(20000000 + (s % 20) * 10000 + (1 + s / 20 % 12) * 100 + 1 + s % 28);
      a.study.accession_number = "ACC" + std::to_string(s);
      a.series.modality = modalities[(s + k / 2) % 5];
      char blob[40];
      std::snprintf(blob, sizeof blob, "%032x", n);
      inst.blob = BlobId(blob);
      ASSERT_TRUE(tx->put_instance(inst, ConflictPolicy::kKeepFirst).ok());
      if (n % 500 == 0) {
        ASSERT_TRUE(tx->commit().ok());
        tx = testing::begin_tx(index);
      }
    }
  }
  ASSERT_TRUE(tx->commit().ok());
  double ms = ms_since(start);
  std::printf("inserted %d instances in %d studies: %.0f ms, %.0f instances/s (batches of 500)\n",
              n, studies, ms, n / ms * 1000);
}

void print_plan(const fs::path& file, const Query& q) {
  if (std::getenv("ARCA_PERF_PLANS") == nullptr)
    return;
  auto sql = *sqlite::build_query(TenantId("t1"), q);
  sqlite::ConnectionOptions o{file, sqlite::OpenMode::kReadOnly, 1000,
                              2048, sqlite::kIndexApplicationId, "index"};
  auto conn = sqlite::Connection::open(o, SecretBytes(Bytes(32, 7))).take();
  auto st = conn->prepare("EXPLAIN QUERY PLAN " + sql.sql).take();
  st.bind_all(sql.params);
  while (*st.step())
    std::printf("      %s\n", st.column_text(3).c_str());
}

void time_query(SqliteIndex& index, const fs::path& file, const char* what, const Query& q) {
  print_plan(file, q);
  auto t = Clock::now();
  std::size_t rows = 0;
  for (int k = 0; k < 20; ++k)
    rows = index.query(TenantId("t1"), q)->size();
  std::printf("  %-42s %6zu rows %9.3f ms/query\n", what, rows, ms_since(t) / 20);
}

TEST(SqliteIndexPerf, DISABLED_InsertAndQuery) {
  const char* env = std::getenv("ARCA_PERF_STUDIES");
  int studies = env ? std::atoi(env) : 10000;
  arca::test::TempDir dir;
  fs::path file = dir.path() / "index.db";
  auto index = SqliteIndex::open(file, SecretBytes(Bytes(32, 7))).take();
  insert_studies(*index, studies);
  using A = QueryAttribute;
  auto m = [](A a, const char* v) { return *parse_matcher(a, v).matcher; };
  auto study = [&](std::vector<Matcher> ms, std::size_t limit = 0, std::size_t offset = 0) {
    return Query{QueryLevel::kStudy, std::move(ms), limit, offset};
  };
  time_query(*index, file, "study list, newest 100", study({}, 100));
  time_query(*index, file, "study list, offset 5000 limit 100", study({}, 100, 5000));
  time_query(*index, file, "study by UID", study({m(A::kStudyUid, "1.2.840.99.777")}));
  time_query(*index, file, "study by PatientID", study({m(A::kPatientId, "PID42")}));
  time_query(*index, file, "study by name prefix smith*", study({m(A::kPatientName, "smith*")}));
  time_query(*index, file, "study by name *MITH^1*", study({m(A::kPatientName, "*MITH^1*")}));
  time_query(*index, file, "study by accession", study({m(A::kAccessionNumber, "ACC4242")}));
  time_query(*index, file, "study by date range (1 month)",
             study({m(A::kStudyDate, "20050101-20050131")}));
  time_query(*index, file, "study by ModalitiesInStudy=CT, limit 100",
             study({m(A::kModalitiesInStudy, "CT")}, 100));
  time_query(*index, file, "series of one study",
             Query{QueryLevel::kSeries, {m(A::kStudyUid, "1.2.840.99.777")}, 0, 0});
  time_query(*index, file, "instances of one study",
             Query{QueryLevel::kInstance, {m(A::kStudyUid, "1.2.840.99.777")}, 0, 0});
  auto t = Clock::now();
  int seen = 0;
  ASSERT_TRUE(index
                  ->for_each_instance([&](const StoredInstance&) -> Result<void> {
                    ++seen;
                    return ok();
                  })
                  .ok());
  std::printf("  for_each_instance over %d instances: %.0f ms\n", seen, ms_since(t));
  std::printf("  index file %.1f MB\n", static_cast<double>(fs::file_size(file)) / 1e6);
}

}  // namespace
}  // namespace arca::store
