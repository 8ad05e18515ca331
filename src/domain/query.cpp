#include "domain/query.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace arca {
namespace {

bool is_uid_attribute(QueryAttribute a) {
  return a == QueryAttribute::kStudyUid || a == QueryAttribute::kSeriesUid ||
         a == QueryAttribute::kSopInstanceUid || a == QueryAttribute::kSopClassUid;
}

bool is_range_attribute(QueryAttribute a) {
  return a == QueryAttribute::kStudyDate || a == QueryAttribute::kStudyTime ||
         a == QueryAttribute::kPatientBirthDate;
}

bool is_person_name(QueryAttribute a) {
  return a == QueryAttribute::kPatientName || a == QueryAttribute::kReferringPhysicianName;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos)
      return out;
    start = end + 1;
  }
}

// Glob match with * and ?, iterative with backtracking on the last *.
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

constexpr std::array<std::pair<std::string_view, QueryAttribute>, 6> kSortable{{
    {"StudyDate", QueryAttribute::kStudyDate},
    {"PatientName", QueryAttribute::kPatientName},
    {"PatientID", QueryAttribute::kPatientId},
    {"AccessionNumber", QueryAttribute::kAccessionNumber},
    {"ModalitiesInStudy", QueryAttribute::kModalitiesInStudy},
    {"StudyDescription", QueryAttribute::kStudyDescription},
}};

constexpr std::size_t kMaxSortTerms = 4;

}  // namespace

bool is_sortable(QueryAttribute a) {
  return std::any_of(kSortable.begin(), kSortable.end(),
                     [a](const auto& entry) { return entry.second == a; });
}

ParsedOrder parse_order(std::string_view value) {
  ParsedOrder out;
  if (value.empty())
    return out;
  for (const std::string& item : split(value, ',')) {
    std::string_view name = item;
    SortTerm term;
    if (!name.empty() && name.front() == '-') {
      term.direction = SortDirection::kDescending;
      name.remove_prefix(1);
    } else if (!name.empty() && name.front() == '+') {
      name.remove_prefix(1);
    }
    auto it = std::find_if(kSortable.begin(), kSortable.end(),
                           [name](const auto& entry) { return entry.first == name; });
    if (it == kSortable.end()) {
      out.error = "cannot order by \"" + std::string(name) + "\"";
      return out;
    }
    term.attribute = it->second;
    if (std::any_of(out.terms.begin(), out.terms.end(),
                    [&](const SortTerm& t) { return t.attribute == term.attribute; })) {
      out.error = "orderby names " + std::string(name) + " twice";
      return out;
    }
    out.terms.push_back(term);
  }
  if (out.terms.size() > kMaxSortTerms)
    out.error = "orderby takes at most four keys";
  return out;
}

QueryLevel attribute_level(QueryAttribute a) {
  using A = QueryAttribute;
  switch (a) {
    case A::kPatientId:
    case A::kIssuerOfPatientId:
    case A::kPatientName:
    case A::kPatientBirthDate:
    case A::kPatientSex:
      return QueryLevel::kPatient;
    case A::kStudyUid:
    case A::kStudyDate:
    case A::kStudyTime:
    case A::kAccessionNumber:
    case A::kReferringPhysicianName:
    case A::kStudyDescription:
    case A::kStudyId:
    case A::kModalitiesInStudy:
      return QueryLevel::kStudy;
    case A::kSeriesUid:
    case A::kModality:
    case A::kSeriesNumber:
    case A::kSeriesDescription:
    case A::kBodyPartExamined:
      return QueryLevel::kSeries;
    case A::kSopInstanceUid:
    case A::kSopClassUid:
    case A::kInstanceNumber:
      return QueryLevel::kInstance;
  }
  return QueryLevel::kInstance;
}

ParsedMatcher parse_matcher(QueryAttribute attribute, std::string_view value) {
  ParsedMatcher out;
  if (value.empty() || value == "*")
    return out;
  Matcher m;
  m.attribute = attribute;
  if (is_uid_attribute(attribute) && value.find('\\') != std::string_view::npos) {
    m.kind = MatchKind::kUidList;
    m.values = split(value, '\\');
  } else if (!is_uid_attribute(attribute) && value.find_first_of("*?") != std::string_view::npos) {
    m.kind = MatchKind::kWildcard;
    m.values = {std::string(value)};
  } else if (is_range_attribute(attribute) && value.find('-') != std::string_view::npos) {
    auto parts = split(value, '-');
    if (parts.size() != 2 || (parts[0].empty() && parts[1].empty())) {
      out.error = "malformed range";
      return out;
    }
    m.kind = MatchKind::kRange;
    m.low = parts[0];
    m.high = parts[1];
  } else {
    m.kind = MatchKind::kSingleValue;
    m.values = {std::string(value)};
  }
  out.matcher = std::move(m);
  return out;
}

bool matches(const Matcher& m, std::string_view stored) {
  bool fold = is_person_name(m.attribute);
  std::string value = fold ? upper(stored) : std::string(stored);
  switch (m.kind) {
    case MatchKind::kSingleValue:
      if (m.attribute == QueryAttribute::kModalitiesInStudy) {
        auto parts = split(value, '\\');
        return std::find(parts.begin(), parts.end(), m.values.at(0)) != parts.end();
      }
      return value == (fold ? upper(m.values.at(0)) : m.values.at(0));
    case MatchKind::kUidList:
      return std::find(m.values.begin(), m.values.end(), value) != m.values.end();
    case MatchKind::kWildcard:
      return glob(fold ? upper(m.values.at(0)) : m.values.at(0), value);
    case MatchKind::kRange:
      if (value.empty())
        return false;
      if (!m.low.empty() && value < m.low)
        return false;
      if (!m.high.empty() && value.substr(0, m.high.size()) > m.high)
        return false;
      return true;
  }
  return false;
}

}  // namespace arca
