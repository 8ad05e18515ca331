#include "domain/query.h"

#include <gtest/gtest.h>

namespace arca {
namespace {

Matcher parse(QueryAttribute a, std::string_view v) {
  auto p = parse_matcher(a, v);
  EXPECT_TRUE(p.error.empty());
  EXPECT_TRUE(p.matcher.has_value());
  return *p.matcher;
}

TEST(QueryTest, EmptyAndStarAreUniversal) {
  EXPECT_FALSE(parse_matcher(QueryAttribute::kPatientName, "").matcher.has_value());
  EXPECT_FALSE(parse_matcher(QueryAttribute::kPatientName, "*").matcher.has_value());
}

TEST(QueryTest, PersonNameWildcardIsCaseInsensitive) {
  Matcher m = parse(QueryAttribute::kPatientName, "*phan*");
  EXPECT_EQ(m.kind, MatchKind::kWildcard);
  EXPECT_TRUE(matches(m, "PHANTOM^CT"));
  EXPECT_FALSE(matches(m, "DOE^JOHN"));
  Matcher q = parse(QueryAttribute::kPatientName, "DO?^J*");
  EXPECT_TRUE(matches(q, "doe^john"));
}

TEST(QueryTest, NonPersonNameIsCaseSensitive) {
  Matcher m = parse(QueryAttribute::kAccessionNumber, "acc*");
  EXPECT_FALSE(matches(m, "ACC001"));
  EXPECT_TRUE(matches(m, "acc001"));
}

TEST(QueryTest, UidList) {
  Matcher m = parse(QueryAttribute::kStudyUid, "1.2.3\\1.2.4");
  EXPECT_EQ(m.kind, MatchKind::kUidList);
  EXPECT_TRUE(matches(m, "1.2.4"));
  EXPECT_FALSE(matches(m, "1.2.5"));
}

TEST(QueryTest, DateRanges) {
  Matcher both = parse(QueryAttribute::kStudyDate, "20240101-20240131");
  EXPECT_EQ(both.kind, MatchKind::kRange);
  EXPECT_TRUE(matches(both, "20240115"));
  EXPECT_TRUE(matches(both, "20240131"));
  EXPECT_FALSE(matches(both, "20240201"));
  EXPECT_FALSE(matches(both, ""));
  Matcher open_low = parse(QueryAttribute::kStudyDate, "-20240101");
  EXPECT_TRUE(matches(open_low, "19990101"));
  Matcher open_high = parse(QueryAttribute::kStudyDate, "20240101-");
  EXPECT_TRUE(matches(open_high, "20300101"));
  Matcher time = parse(QueryAttribute::kStudyTime, "080000-120000");
  EXPECT_TRUE(matches(time, "120000.5"));
  EXPECT_FALSE(matches(time, "120001"));
  EXPECT_FALSE(parse_matcher(QueryAttribute::kStudyDate, "-").error.empty());
}

TEST(QueryTest, ModalitiesInStudyMatchesAnyMember) {
  Matcher m = parse(QueryAttribute::kModalitiesInStudy, "CT");
  EXPECT_TRUE(matches(m, "CT\\SR"));
  EXPECT_FALSE(matches(m, "MR\\SR"));
}

}  // namespace
}  // namespace arca

namespace arca {
namespace {

TEST(QueryOrderTest, ParsesKeywordsAndDirections) {
  auto o = parse_order("-StudyDate,PatientName,+AccessionNumber");
  ASSERT_TRUE(o.error.empty()) << o.error;
  ASSERT_EQ(o.terms.size(), 3u);
  EXPECT_EQ(o.terms[0].attribute, QueryAttribute::kStudyDate);
  EXPECT_EQ(o.terms[0].direction, SortDirection::kDescending);
  EXPECT_EQ(o.terms[1].attribute, QueryAttribute::kPatientName);
  EXPECT_EQ(o.terms[1].direction, SortDirection::kAscending);
  EXPECT_EQ(o.terms[2].attribute, QueryAttribute::kAccessionNumber);
  EXPECT_TRUE(parse_order("").terms.empty());
  EXPECT_TRUE(is_sortable(QueryAttribute::kModalitiesInStudy));
  EXPECT_FALSE(is_sortable(QueryAttribute::kPatientSex));
}

TEST(QueryOrderTest, RefusesUnknownRepeatedAndTooManyKeys) {
  for (const char* bad : {"PatientSex", "StudyDate,-StudyDate", "-", "StudyDate,", "00080020",
                          "StudyDate,PatientName,PatientID,AccessionNumber,"
                          "StudyDescription"})
    EXPECT_FALSE(parse_order(bad).error.empty()) << bad;
}

}  // namespace
}  // namespace arca
