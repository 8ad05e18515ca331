// The query model shared by C-FIND and QIDO-RS, so both answer identically (PS3.4 C.2.2.2,
// PS3.18 §8.3.4). A transport turns its request into a Query; an Index answers it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/instance_attributes.h"

namespace arca {

enum class QueryLevel { kPatient, kStudy, kSeries, kInstance };

// Attributes that can be matched. Each belongs to one level (attribute_level()).
enum class QueryAttribute {
  kPatientId,
  kIssuerOfPatientId,
  kPatientName,
  kPatientBirthDate,
  kPatientSex,
  kStudyUid,
  kStudyDate,
  kStudyTime,
  kAccessionNumber,
  kReferringPhysicianName,
  kStudyDescription,
  kStudyId,
  kModalitiesInStudy,
  kSeriesUid,
  kModality,
  kSeriesNumber,
  kSeriesDescription,
  kBodyPartExamined,
  kSopInstanceUid,
  kSopClassUid,
  kInstanceNumber,
};

QueryLevel attribute_level(QueryAttribute a);

enum class MatchKind {
  kSingleValue,  // exact (case-insensitive for person names)
  kUidList,      // any of values (backslash-separated in DICOM)
  kWildcard,     // values[0] with * and ?
  kRange,        // low..high inclusive, either may be empty (open end); dates and times
};

struct Matcher {
  QueryAttribute attribute = QueryAttribute::kPatientId;
  MatchKind kind = MatchKind::kSingleValue;
  std::vector<std::string> values;  // kSingleValue/kWildcard: one; kUidList: many
  std::string low;                  // kRange
  std::string high;                 // kRange
};

// Builds the matcher a DICOM query value asks for: empty value -> nullopt (universal match);
// "a\b" for a UID attribute -> list; "*"/"?" present -> wildcard; "x-y" for a date or time ->
// range; otherwise single value. Fails with kInvalidArgument on a malformed range.
struct ParsedMatcher {
  std::optional<Matcher> matcher;  // nullopt: universal
  std::string error;               // non-empty: the value was malformed
};
ParsedMatcher parse_matcher(QueryAttribute attribute, std::string_view value);

// Does a stored value satisfy the matcher? Reference semantics for every Index implementation.
bool matches(const Matcher& m, std::string_view stored);

// Server-side order of a result list (Arca's QIDO-RS extension `orderby`, conformance.md).
// Sortable: StudyDate (date, then time), PatientName (ASCII case folded, as matching folds it),
// PatientID, AccessionNumber, ModalitiesInStudy (the sorted list as text), StudyDescription.
// Values compare as UTF-8 bytes; an empty value sorts first ascending, last descending.
enum class SortDirection { kAscending, kDescending };

struct SortTerm {
  QueryAttribute attribute = QueryAttribute::kStudyDate;
  SortDirection direction = SortDirection::kAscending;
};

bool is_sortable(QueryAttribute a);

// "StudyDate,-PatientName" (keywords, '-' for descending) -> terms. Fails with a message on an
// unknown or unsortable keyword, a repeated one, or more than four terms.
struct ParsedOrder {
  std::vector<SortTerm> terms;
  std::string error;  // non-empty: malformed
};
ParsedOrder parse_order(std::string_view value);

struct Query {
  QueryLevel level = QueryLevel::kStudy;
  std::vector<Matcher> matchers;
  std::size_t limit = 0;  // 0: no limit
  std::size_t offset = 0;
  // Empty: the level's default order (newest study first, then study UID ascending, then series
  // and instance numbers). Otherwise these terms, then the Study Instance UID in the direction
  // of the last term (so the order is total and pages never repeat or skip a study), then the
  // series and instance order of the default.
  std::vector<SortTerm> order = {};
};

// Whether to count every matching row besides returning one page of them.
enum class TotalCount { kSkip, kCount };

// One row of a query answer: the attributes at the row's level and above, plus computed counts.
struct QueryRow {
  IndexAttributes attributes;
  std::int64_t study_related_series = 0;
  std::int64_t study_related_instances = 0;
  std::int64_t series_related_instances = 0;
  std::int64_t patient_related_studies = 0;
  std::string modalities_in_study;  // backslash-separated, sorted
};

}  // namespace arca
