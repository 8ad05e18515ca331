#include "dicomweb/qido.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace arca::dicomweb {
namespace {

http::QueryParams params(std::vector<http::QueryParams::Item> items) {
  return http::QueryParams(std::move(items));
}

bool returns(const QidoRequest& q, std::string_view keyword) {
  return std::any_of(q.fields.begin(), q.fields.end(),
                     [&](const QueryKey* k) { return k->keyword == keyword; });
}

const Matcher* matcher_for(const QidoRequest& q, QueryAttribute a) {
  for (const Matcher& m : q.query.matchers) {
    if (m.attribute == a)
      return &m;
  }
  return nullptr;
}

TEST(Qido, KeywordAndTagMatchersWithWildcardsRangesAndUidLists) {
  auto q = parse_qido({QueryLevel::kStudy, {}, {}}, params({{"PatientName", "*phan*"},
                                                            {"00100020", "ARCA-0001"},
                                                            {"StudyDate", "20240101-20240131"},
                                                            {"StudyInstanceUID", "1.2.3\\1.2.4"},
                                                            {"fuzzymatching", "false"}}));
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  ASSERT_EQ(q->query.matchers.size(), 4U);
  EXPECT_EQ(matcher_for(*q, QueryAttribute::kPatientName)->kind, MatchKind::kWildcard);
  EXPECT_EQ(matcher_for(*q, QueryAttribute::kPatientId)->kind, MatchKind::kSingleValue);
  const Matcher* date = matcher_for(*q, QueryAttribute::kStudyDate);
  EXPECT_EQ(date->kind, MatchKind::kRange);
  EXPECT_EQ(date->low, "20240101");
  EXPECT_EQ(date->high, "20240131");
  EXPECT_EQ(matcher_for(*q, QueryAttribute::kStudyUid)->values.size(), 2U);
}

TEST(Qido, OrderbyAndIncludetotalAreArcaExtensions) {
  auto q = parse_qido({QueryLevel::kStudy, {}, {}},
                      params({{"orderby", "-StudyDate,PatientID"}, {"includetotal", "true"}}));
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  ASSERT_EQ(q->query.order.size(), 2u);
  EXPECT_EQ(q->query.order[0].direction, SortDirection::kDescending);
  EXPECT_EQ(q->query.order[1].attribute, QueryAttribute::kPatientId);
  EXPECT_EQ(q->total, TotalCount::kCount);
  EXPECT_EQ(parse_qido({QueryLevel::kStudy, {}, {}}, params({})).value().total, TotalCount::kSkip);
  for (auto bad : {std::pair{"orderby", "PatientSex"}, std::pair{"includetotal", "1"}}) {
    auto r = parse_qido({QueryLevel::kStudy, {}, {}}, params({{bad.first, bad.second}}));
    ASSERT_FALSE(r.ok()) << bad.first;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Qido, DefaultStudyFieldsCoverOhifStudyList) {
  auto q = parse_qido({QueryLevel::kStudy, {}, {}}, params({}));
  ASSERT_TRUE(q.ok());
  for (const char* k :
       {"StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "ModalitiesInStudy",
        "PatientName", "PatientID", "PatientBirthDate", "StudyDescription",
        "ReferringPhysicianName", "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"}) {
    EXPECT_TRUE(returns(*q, k)) << k;
  }
  EXPECT_FALSE(returns(*q, "SeriesInstanceUID"));
  EXPECT_FALSE(returns(*q, "SOPInstanceUID"));
}

TEST(Qido, SeriesUnderAStudyReturnsSeriesFields) {
  auto q = parse_qido({QueryLevel::kSeries, std::string("1.2.3"), {}}, params({}));
  ASSERT_TRUE(q.ok());
  for (const char* k : {"SeriesInstanceUID", "Modality", "SeriesDescription", "SeriesNumber",
                        "NumberOfSeriesRelatedInstances", "SeriesDate", "SeriesTime"}) {
    EXPECT_TRUE(returns(*q, k)) << k;
  }
  EXPECT_FALSE(returns(*q, "PatientName"));
  const Matcher* study = matcher_for(*q, QueryAttribute::kStudyUid);
  ASSERT_NE(study, nullptr);
  EXPECT_EQ(study->values.front(), "1.2.3");
}

TEST(Qido, AllSeriesAlsoReturnsStudyFields) {
  auto q = parse_qido({QueryLevel::kSeries, {}, {}}, params({}));
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(returns(*q, "StudyInstanceUID"));
  EXPECT_TRUE(returns(*q, "SeriesInstanceUID"));
}

TEST(Qido, IncludefieldCommaListRepeatedAndAll) {
  auto q = parse_qido({QueryLevel::kSeries, std::string("1.2.3"), {}},
                      params({{"includefield", "00100010,StudyDescription"},
                              {"includefield", "00201206"},
                              {"includefield", "NotAnAttribute"}}));
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(returns(*q, "PatientName"));
  EXPECT_TRUE(returns(*q, "StudyDescription"));
  EXPECT_TRUE(returns(*q, "NumberOfStudyRelatedSeries"));
  EXPECT_FALSE(returns(*q, "SOPInstanceUID"));  // below the level
  auto all = parse_qido({QueryLevel::kStudy, {}, {}}, params({{"includefield", "all"}}));
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(returns(*all, "NumberOfPatientRelatedStudies"));
  EXPECT_TRUE(returns(*all, "IssuerOfPatientID"));
}

TEST(Qido, LimitOffsetAndTheirBounds) {
  auto q = parse_qido({QueryLevel::kStudy, {}, {}}, params({{"limit", "101"}, {"offset", "5"}}));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->query.limit, 101U);
  EXPECT_EQ(q->query.offset, 5U);
  auto none = parse_qido({QueryLevel::kStudy, {}, {}}, params({}));
  EXPECT_EQ(none->query.limit, kMaxResults);
  auto huge = parse_qido({QueryLevel::kStudy, {}, {}}, params({{"limit", "99999999"}}));
  EXPECT_EQ(huge->query.limit, kMaxResults);
  for (const char* bad : {"-1", "ten", "", "5x"}) {
    auto r = parse_qido({QueryLevel::kStudy, {}, {}}, params({{"limit", bad}}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Qido, RefusesWhatItCannotMatch) {
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"Unknown", "x"},
                                                        {"SOPInstanceUID", "1.2"},  // below level
                                                        {"NumberOfStudyRelatedSeries", "2"},
                                                        {"StudyDate", "2024-2023-01"},
                                                        {"fuzzymatching", "maybe"}}) {
    auto r = parse_qido({QueryLevel::kStudy, {}, {}}, params({{k, v}}));
    ASSERT_FALSE(r.ok()) << k;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << k;
  }
}

TEST(Qido, JsonOfRows) {
  QueryRow row;
  row.attributes.patient.patient_name = "Doe^Jane";
  row.attributes.study.study_uid = StudyUid("1.2.3");
  row.study_related_series = 2;
  row.modalities_in_study = "CT\\MR";
  std::vector<const QueryKey*> fields = {
      find_query_key("PatientName"), find_query_key("StudyInstanceUID"),
      find_query_key("ModalitiesInStudy"), find_query_key("NumberOfStudyRelatedSeries")};
  EXPECT_EQ(qido_json({row}, fields),
            R"([{"00080005":{"vr":"CS","Value":["ISO_IR 192"]},)"
            R"("00080061":{"vr":"CS","Value":["CT","MR"]},)"
            R"("00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane"}]},)"
            R"("0020000D":{"vr":"UI","Value":["1.2.3"]},)"
            R"("00201206":{"vr":"IS","Value":[2]}}])");
  EXPECT_EQ(qido_json({}, fields), "[]");
}

}  // namespace
}  // namespace arca::dicomweb
