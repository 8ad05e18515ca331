#include "dimse/find_keys.h"

#include <gtest/gtest.h>

namespace arca::dimse {
namespace {

constexpr std::uint32_t kPatientName = 0x00100010;
constexpr std::uint32_t kStudyUid = 0x0020000D;
constexpr std::uint32_t kStudyDate = 0x00080020;
constexpr std::uint32_t kModality = 0x00080060;
constexpr std::uint32_t kSopUid = 0x00080018;

TEST(FindKeysTest, StudyLevelMatchersAndReturnKeys) {
  auto r = parse_find_identifier(QueryModel::kStudyRoot, {{kQueryRetrieveLevel, "STUDY "},
                                                          {kSpecificCharacterSet, "ISO_IR 100"},
                                                          {kPatientName, "smith*"},
                                                          {kStudyDate, "20200101-20201231"},
                                                          {kStudyUid, ""},
                                                          {kModality, "CT"}});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->level, "STUDY");
  EXPECT_EQ(r->query.level, QueryLevel::kStudy);
  ASSERT_EQ(r->query.matchers.size(), 2u);  // Modality is below the level: ignored
  EXPECT_EQ(r->query.matchers[0].kind, MatchKind::kWildcard);
  EXPECT_EQ(r->query.matchers[1].kind, MatchKind::kRange);
  EXPECT_EQ(r->return_keys,
            (std::vector<std::uint32_t>{kPatientName, kStudyDate, kStudyUid, kModality}));
}

TEST(FindKeysTest, UidListAndLevels) {
  auto r = parse_find_identifier(QueryModel::kPatientRoot,
                                 {{kQueryRetrieveLevel, "IMAGE"}, {kSopUid, "1.2.3\\1.2.4"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->query.level, QueryLevel::kInstance);
  ASSERT_EQ(r->query.matchers.size(), 1u);
  EXPECT_EQ(r->query.matchers[0].kind, MatchKind::kUidList);
  EXPECT_EQ(r->query.matchers[0].values, (std::vector<std::string>{"1.2.3", "1.2.4"}));
}

TEST(FindKeysTest, BadIdentifiersAreInvalidArguments) {
  EXPECT_EQ(parse_find_identifier(QueryModel::kStudyRoot, {{kPatientName, "x"}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_find_identifier(QueryModel::kStudyRoot, {{kQueryRetrieveLevel, "PATIENT"}})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_find_identifier(QueryModel::kStudyRoot,
                                  {{kQueryRetrieveLevel, "STUDY"}, {kStudyDate, "1-2-3"}})
                .error()
                .code,
            ErrorCode::kInvalidArgument);
}

TEST(FindKeysTest, AnswersKeysAtOrAboveTheLevelOnly) {
  QueryRow row;
  row.attributes.patient.patient_name = "Doe^Jane";
  row.attributes.series.modality = "MR";
  row.study_related_instances = 7;
  EXPECT_EQ(answer_value(kPatientName, row, QueryLevel::kStudy), "Doe^Jane");
  EXPECT_EQ(answer_value(kModality, row, QueryLevel::kStudy), "");
  EXPECT_EQ(answer_value(kModality, row, QueryLevel::kSeries), "MR");
  EXPECT_EQ(answer_value(0x00201208, row, QueryLevel::kStudy), "7");
  EXPECT_EQ(answer_value(0x00091001, row, QueryLevel::kStudy), "");
}

}  // namespace
}  // namespace arca::dimse
