// Query semantics of the Index contract: hand-written cases, and a reference-model test that
// checks query() against domain::matches() over a few hundred generated instances.
#include <algorithm>
#include <random>
#include <set>

#include "store/index_contract.h"
#include "store/index_query_model.h"

namespace arca::store::testing {
namespace {

using A = QueryAttribute;

TEST_P(IndexContractTest, QueryAgreesWithTheReferenceModel) {
  std::mt19937 rng(20240115);
  Model model = generate_model(rng);
  ASSERT_GT(model.all.size(), 150u);
  auto tx = begin_tx(*index_);
  for (const auto& s : model.all)
    ASSERT_TRUE(tx->put_instance(s, ConflictPolicy::kKeepFirst).ok());
  ASSERT_TRUE(tx->commit().ok());

  auto pool = matcher_pool(model);
  TenantId t1("t1");
  int checked = 0, nonempty = 0;
  auto check = [&](const Query& q) {
    auto got = index_->query(t1, q);
    ASSERT_TRUE(got.ok()) << got.error().to_string();
    std::vector<std::string> keys;
    for (const auto& row : *got) {
      StoredInstance s;
      s.attributes = row.attributes;
      keys.push_back(Model::key(s, q.level));
    }
    auto want = model.expect(t1, q);
    std::string what = "level " + std::to_string(static_cast<int>(q.level));
    for (const auto& m : q.matchers)
      what += " | attr " + std::to_string(static_cast<int>(m.attribute)) + " kind " +
              std::to_string(static_cast<int>(m.kind)) + " " +
              (m.values.empty() ? m.low + "-" + m.high : m.values[0]);
    ASSERT_EQ(keys, want) << what;
    ++checked;
    nonempty += want.empty() ? 0 : 1;
  };
  for (auto level :
       {QueryLevel::kPatient, QueryLevel::kStudy, QueryLevel::kSeries, QueryLevel::kInstance}) {
    std::vector<Matcher> usable;
    for (const auto& m : pool)
      if (attribute_level(m.attribute) <= level)
        usable.push_back(m);
    check(Query{level, {}, 0, 0});
    for (const auto& m : usable)
      check(Query{level, {m}, 0, 0});
    for (int i = 0; i < 60; ++i) {
      Query q{level, {pick(rng, usable), pick(rng, usable)}, 0, 0};
      if (i % 3 == 0)
        q.matchers.pop_back();
      if (i % 4 == 0) {
        q.limit = 1 + rng() % 5;
        q.offset = rng() % 4;
      }
      check(q);
    }
  }
  EXPECT_GT(nonempty, checked / 3);  // the matchers must actually select something
}

TEST_P(IndexContractTest, QueryRowCountsMatchTheModel) {
  std::mt19937 rng(99);
  Model model = generate_model(rng);
  auto tx = begin_tx(*index_);
  for (const auto& s : model.all)
    ASSERT_TRUE(tx->put_instance(s, ConflictPolicy::kKeepFirst).ok());
  ASSERT_TRUE(tx->commit().ok());
  auto rows = *index_->query(TenantId("t1"), Query{QueryLevel::kSeries, {}, 0, 0});
  for (const auto& row : rows) {
    std::set<std::string> series, patients_studies;
    std::int64_t in_study = 0, in_series = 0;
    for (const auto& s : model.all) {
      if (s.tenant != TenantId("t1"))
        continue;
      if (s.attributes.patient.patient_id == row.attributes.patient.patient_id)
        patients_studies.insert(s.attributes.study.study_uid.str());
      if (s.attributes.study.study_uid == row.attributes.study.study_uid) {
        ++in_study;
        series.insert(s.attributes.series.series_uid.str());
      }
      in_series += s.attributes.series.series_uid == row.attributes.series.series_uid ? 1 : 0;
    }
    EXPECT_EQ(row.study_related_instances, in_study);
    EXPECT_EQ(row.study_related_series, static_cast<std::int64_t>(series.size()));
    EXPECT_EQ(row.series_related_instances, in_series);
    EXPECT_EQ(row.patient_related_studies, static_cast<std::int64_t>(patients_studies.size()));
    EXPECT_EQ(row.modalities_in_study, model.modalities(row.attributes.study.study_uid));
  }
}

TEST_P(IndexContractTest, HandWrittenQueries) {
  auto a = sample_instance(1, "1.2.3.1", "1.2.3.1.1");
  a.attributes.patient.patient_name = "Zebra^Finch";
  a.attributes.patient.patient_id = "ID_1%";
  auto b = sample_instance(2, "1.2.3.2", "1.2.3.2.1");
  b.patient_ref = PatientRef("pref-2");
  b.attributes.patient.patient_name = "zebra^fin";
  b.attributes.patient.patient_id = "IDx1y";
  b.attributes.study.study_date = "20231231";
  put_one(*index_, a);
  put_one(*index_, b);
  auto ids = [&](QueryLevel level, std::vector<Matcher> m) {
    std::vector<std::string> out;
    auto rows = index_->query(TenantId("t1"), Query{level, std::move(m), 0, 0});
    EXPECT_TRUE(rows.ok());
    for (const auto& row : rows.ok() ? *rows : std::vector<QueryRow>{})
      out.push_back(row.attributes.patient.patient_id);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(QueryLevel::kPatient, {parsed(A::kPatientName, "ZEBRA^FINCH")}), V{"ID_1%"});
  EXPECT_EQ(ids(QueryLevel::kPatient, {parsed(A::kPatientName, "zebra*")}), (V{"ID_1%", "IDx1y"}));
  // % and _ are ordinary characters in DICOM values, not SQL LIKE wildcards.
  EXPECT_EQ(ids(QueryLevel::kPatient, {parsed(A::kPatientId, "ID_1%")}), V{"ID_1%"});
  EXPECT_EQ(ids(QueryLevel::kPatient, {parsed(A::kPatientId, "ID_1*")}), V{"ID_1%"});
  EXPECT_EQ(ids(QueryLevel::kPatient, {parsed(A::kPatientId, "ID?1*")}), (V{"ID_1%", "IDx1y"}));
  // Newest study first; open-ended ranges.
  EXPECT_EQ(ids(QueryLevel::kStudy, {}), (V{"ID_1%", "IDx1y"}));
  EXPECT_EQ(ids(QueryLevel::kStudy, {parsed(A::kStudyDate, "20240101-")}), V{"ID_1%"});
  EXPECT_EQ(ids(QueryLevel::kStudy, {parsed(A::kStudyDate, "-20231231")}), V{"IDx1y"});
  // Lower levels accept upper-level matchers.
  EXPECT_EQ(ids(QueryLevel::kInstance, {parsed(A::kPatientName, "zebra^fin")}), V{"IDx1y"});
  Query offset{QueryLevel::kStudy, {}, 1, 1};
  auto page = *index_->query(TenantId("t1"), offset);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].attributes.study.study_uid, StudyUid("1.2.3.2"));
  // A matcher below the query level is refused, not ignored.
  auto below =
      index_->query(TenantId("t1"), Query{QueryLevel::kStudy, {parsed(A::kModality, "CT")}, 0, 0});
  ASSERT_FALSE(below.ok());
  EXPECT_EQ(below.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace arca::store::testing
