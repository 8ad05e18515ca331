// Sorted, paged study lists (Query::order, Index::count) in the Index contract: every sort key in
// both directions, over studies full of ties (equal names in different case, equal dates, empty
// values), must come out in the order a reference comparator computes here, and walking the
// list page by page must show every study exactly once.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "store/index_contract.h"

namespace arca::store::testing {
namespace {

using A = QueryAttribute;

struct StudyModel {
  std::string uid;
  std::string name_folded;
  std::string patient_id;
  std::string date;
  std::string time;
  std::string accession;
  std::string modalities;
  std::string description;
};

std::string fold(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// 90 studies; each value is drawn from a handful so that ties are everywhere.
std::vector<StoredInstance> tied_studies(std::vector<StudyModel>& model) {
  const char* names[] = {"Doe^Jane", "DOE^JANE", "Smith^Al", "", "Müller^Ana"};
  const char* dates[] = {"20240101", "20231231", "", "20240101"};
  const char* times[] = {"080000", "", "120000"};
  const char* accessions[] = {"A1", "", "B7", "A1"};
  const char* descriptions[] = {"CT HEAD", "", "MR KNEE", "ct head"};
  const char* modalities[] = {"CT", "MR", "US"};
  std::vector<StoredInstance> out;
  int n = 0;
  for (int s = 0; s < 90; ++s) {
    std::string uid = "1.2.826.0.1.3680043.10.543." + std::to_string((s * 37) % 90 + 1);
    StudyModel m;
    m.uid = uid;
    std::set<std::string> mods;
    int series_count = 1 + s % 2;
    for (int k = 0; k < series_count; ++k) {
      auto inst = sample_instance(++n, uid, uid + "." + std::to_string(k + 1));
      inst.patient_ref = PatientRef("pref-" + std::to_string(s % 40));
      auto& a = inst.attributes;
      a.patient.patient_name = names[(s % 40) % 5];
      a.patient.patient_id = "P" + std::to_string((s % 40) % 7);
      a.study.study_date = dates[s % 4];
      a.study.study_time = times[s % 3];
      a.study.accession_number = accessions[s % 4];
      a.study.study_description = descriptions[s % 4];
      a.series.modality = modalities[(s + k) % 3];
      mods.insert(a.series.modality);
      m.name_folded = fold(a.patient.patient_name);
      m.patient_id = a.patient.patient_id;
      m.date = a.study.study_date;
      m.time = a.study.study_time;
      m.accession = a.study.accession_number;
      m.description = a.study.study_description;
      out.push_back(std::move(inst));
    }
    for (const auto& mod : mods)
      m.modalities += (m.modalities.empty() ? "" : "\\") + mod;
    model.push_back(m);
  }
  return out;
}

std::vector<std::string> key_of(const StudyModel& m, A a) {
  switch (a) {
    case A::kStudyDate:
      return {m.date, m.time};
    case A::kPatientName:
      return {m.name_folded};
    case A::kPatientId:
      return {m.patient_id};
    case A::kAccessionNumber:
      return {m.accession};
    case A::kModalitiesInStudy:
      return {m.modalities};
    case A::kStudyDescription:
      return {m.description};
    default:
      break;
  }
  return {};
}

// The documented order: the terms, then the study UID in the last term's direction.
std::vector<std::string> expected(std::vector<StudyModel> model,
                                  const std::vector<SortTerm>& order) {
  std::stable_sort(model.begin(), model.end(), [&](const StudyModel& x, const StudyModel& y) {
    for (const SortTerm& t : order) {
      auto kx = key_of(x, t.attribute), ky = key_of(y, t.attribute);
      if (kx != ky)
        return t.direction == SortDirection::kDescending ? ky < kx : kx < ky;
    }
    return order.back().direction == SortDirection::kDescending ? y.uid < x.uid : x.uid < y.uid;
  });
  std::vector<std::string> out;
  for (const auto& m : model)
    out.push_back(m.uid);
  return out;
}

std::vector<std::string> uids(const std::vector<QueryRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    out.push_back(r.attributes.study.study_uid.str());
  return out;
}

std::vector<StudyModel> fill(Index& index) {
  std::vector<StudyModel> model;
  auto tx = begin_tx(index);
  for (const auto& s : tied_studies(model))
    EXPECT_TRUE(tx->put_instance(s, ConflictPolicy::kKeepFirst).ok());
  EXPECT_TRUE(tx->commit().ok());
  return model;
}

std::vector<std::string> all(Index& index, const Query& q) {
  auto rows = index.query(TenantId("t1"), q);
  EXPECT_TRUE(rows.ok()) << rows.error().to_string();
  return rows.ok() ? uids(*rows) : std::vector<std::string>{};
}

TEST_P(IndexContractTest, OrderedStudyListsFollowTheReferenceOrderAndPageWithoutRepeats) {
  const auto model = fill(*index_);
  const A keys[] = {A::kStudyDate,       A::kPatientName,       A::kPatientId,
                    A::kAccessionNumber, A::kModalitiesInStudy, A::kStudyDescription};
  std::vector<std::vector<SortTerm>> orders;
  for (A a : keys) {
    orders.push_back({{a, SortDirection::kAscending}});
    orders.push_back({{a, SortDirection::kDescending}});
  }
  orders.push_back(
      {{A::kPatientName, SortDirection::kAscending}, {A::kStudyDate, SortDirection::kDescending}});
  orders.push_back({{A::kModalitiesInStudy, SortDirection::kDescending},
                    {A::kAccessionNumber, SortDirection::kAscending}});
  for (const auto& order : orders) {
    std::string what = "first key " + std::to_string(static_cast<int>(order[0].attribute)) +
                       (order[0].direction == SortDirection::kDescending ? " desc" : " asc") +
                       ", " + std::to_string(order.size()) + " keys";
    Query q{QueryLevel::kStudy, {}, 0, 0, order};
    auto want = expected(model, order);
    ASSERT_EQ(all(*index_, q), want) << what;
    // Pages of 7: together exactly the full list, in order.
    std::vector<std::string> paged;
    for (std::size_t offset = 0; offset < want.size() + 7; offset += 7) {
      Query page = q;
      page.limit = 7;
      page.offset = offset;
      auto got = all(*index_, page);
      EXPECT_LE(got.size(), 7u);
      paged.insert(paged.end(), got.begin(), got.end());
    }
    EXPECT_EQ(paged, want) << what;
  }
}

TEST_P(IndexContractTest, OrderedListsCombineWithMatchersAndCount) {
  const auto model = fill(*index_);
  Query q{QueryLevel::kStudy,
          {*parse_matcher(A::kPatientName, "doe*").matcher},
          5,
          3,
          {{A::kStudyDate, SortDirection::kDescending}}};
  std::vector<StudyModel> does;
  for (const auto& m : model)
    if (m.name_folded.rfind("DOE", 0) == 0)
      does.push_back(m);
  auto want = expected(does, q.order);
  ASSERT_GT(want.size(), 8u);
  EXPECT_EQ(all(*index_, q), std::vector<std::string>(want.begin() + 3, want.begin() + 8));
  auto n = index_->count(TenantId("t1"), q);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, want.size());  // limit and offset do not change the count
  auto everything = index_->count(TenantId("t1"), Query{QueryLevel::kStudy, {}, 0, 0});
  EXPECT_EQ(*everything, model.size());
  EXPECT_EQ(*index_->count(TenantId("other"), Query{QueryLevel::kStudy, {}, 0, 0}), 0u);
  // Series below an ordered study list keep their order inside each study.
  Query series{QueryLevel::kSeries, {}, 0, 0, {{A::kAccessionNumber, SortDirection::kAscending}}};
  auto rows = index_->query(TenantId("t1"), series);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 135u);
}

TEST_P(IndexContractTest, RemoveStudyTakesEveryInstanceAndLeavesOthers) {
  auto tx = begin_tx(*index_);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(
        tx->put_instance(sample_instance(i + 1, "1.2.3.9", "1.2.3.9." + std::to_string(i % 2)),
                         ConflictPolicy::kKeepFirst)
            .ok());
  ASSERT_TRUE(
      tx->put_instance(sample_instance(7, "1.2.3.8", "1.2.3.8.1"), ConflictPolicy::kKeepFirst)
          .ok());
  ASSERT_TRUE(tx->commit().ok());
  tx = begin_tx(*index_);
  auto removed = tx->remove_study(TenantId("t1"), StudyUid("1.2.3.9"));
  ASSERT_TRUE(removed.ok()) << removed.error().to_string();
  EXPECT_EQ(removed->size(), 3u);
  auto none = tx->remove_study(TenantId("t1"), StudyUid("1.2.3.404"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_TRUE(index_->study_instances(TenantId("t1"), StudyUid("1.2.3.9"))->empty());
  for (const auto& r : *removed)
    EXPECT_FALSE(*index_->references_blob(r.blob));
  auto left = index_->query(TenantId("t1"), Query{QueryLevel::kStudy, {}, 0, 0});
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].attributes.study.study_uid.str(), "1.2.3.8");
  EXPECT_EQ((*left)[0].study_related_instances, 1);
}

}  // namespace
}  // namespace arca::store::testing
