#include "store/sqlite/sqlite_query.h"

#include <cctype>
#include <charconv>
#include <limits>

#include "store/sqlite/sqlite_rows.h"

namespace arca::store::sqlite {
namespace {

enum class ColumnKind { kText, kPersonName, kNumber, kModalities };

struct Column {
  std::string_view name;
  ColumnKind kind = ColumnKind::kText;
};

Column column_of(QueryAttribute a) {
  using A = QueryAttribute;
  using K = ColumnKind;
  switch (a) {
    case A::kPatientId:
      return {"p.patient_id"};
    case A::kIssuerOfPatientId:
      return {"p.issuer_of_patient_id"};
    case A::kPatientName:
      return {"p.patient_name_upper", K::kPersonName};
    case A::kPatientBirthDate:
      return {"p.birth_date"};
    case A::kPatientSex:
      return {"p.sex"};
    case A::kStudyUid:
      return {"s.study_uid"};
    case A::kStudyDate:
      return {"s.study_date"};
    case A::kStudyTime:
      return {"s.study_time"};
    case A::kAccessionNumber:
      return {"s.accession_number"};
    case A::kReferringPhysicianName:
      return {"s.referring_physician_name_upper", K::kPersonName};
    case A::kStudyDescription:
      return {"s.study_description"};
    case A::kStudyId:
      return {"s.study_id"};
    case A::kModalitiesInStudy:
      return {"s.modalities", K::kModalities};
    case A::kSeriesUid:
      return {"se.series_uid"};
    case A::kModality:
      return {"se.modality"};
    case A::kSeriesNumber:
      return {"se.series_number", K::kNumber};
    case A::kSeriesDescription:
      return {"se.series_description"};
    case A::kBodyPartExamined:
      return {"se.body_part_examined"};
    case A::kSopInstanceUid:
      return {"i.sop_uid"};
    case A::kSopClassUid:
      return {"i.sop_class_uid"};
    case A::kInstanceNumber:
      return {"i.instance_number", K::kNumber};
  }
  return {"NULL"};
}

// The smallest string greater than every string starting with `prefix`; nullopt if none.
std::optional<std::string> successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff)
    s.pop_back();
  if (s.empty())
    return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

std::optional<std::int64_t> canonical_integer(std::string_view v) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || std::to_string(n) != v)
    return std::nullopt;
  return n;
}

class Builder {
 public:
  explicit Builder(SqlQuery& out) : out_(out) {}

  Result<void> add(const Matcher& m) {
    Column col = column_of(m.attribute);
    text_ = col.kind == ColumnKind::kNumber
                ? "COALESCE(CAST(" + std::string(col.name) + " AS TEXT), '')"
                : std::string(col.name);
    bool fold = col.kind == ColumnKind::kPersonName;
    switch (m.kind) {
      case MatchKind::kSingleValue:
        if (m.values.size() != 1)
          return make_error(ErrorCode::kInvalidArgument, "single-value matcher needs one value");
        return single(col, fold ? fold_person_name(m.values[0]) : m.values[0]);
      case MatchKind::kUidList:
        return list(m.values);
      case MatchKind::kWildcard:
        if (m.values.size() != 1)
          return make_error(ErrorCode::kInvalidArgument, "wildcard matcher needs one value");
        return wildcard(col, fold ? fold_person_name(m.values[0]) : m.values[0]);
      case MatchKind::kRange:
        return range(m.low, m.high);
    }
    return make_error(ErrorCode::kInvalidArgument, "unknown match kind");
  }

  void condition(std::string_view sql) {
    out_.sql += " AND ";
    out_.sql += sql;
  }
  void param(SqlValue v) { out_.params.push_back(std::move(v)); }

 private:
  Result<void> single(const Column& col, const std::string& v) {
    if (col.kind == ColumnKind::kModalities) {
      if (v.empty()) {
        condition("s.modalities = ''");
      } else if (v.find('\\') != std::string::npos) {
        condition("0");
      } else {
        // The maintained list, bracketed by separators: exactly domain's split-and-find for a
        // value without a backslash, and cheap while walking studies in date order.
        condition("instr('\\' || s.modalities || '\\', ?) > 0");
        param("\\" + v + "\\");
      }
      return ok();
    }
    if (col.kind == ColumnKind::kNumber && !v.empty()) {
      auto n = canonical_integer(v);
      condition(n ? std::string(col.name) + " = ?" : std::string("0"));
      if (n)
        param(*n);
      return ok();
    }
    condition(text_ + " = ?");
    param(v);
    return ok();
  }

  Result<void> list(const std::vector<std::string>& values) {
    if (values.size() > 10000)
      return make_error(ErrorCode::kInvalidArgument, "too many values in a UID list");
    if (values.empty()) {
      condition("0");
      return ok();
    }
    std::string sql = text_ + " IN (?";
    for (std::size_t i = 1; i < values.size(); ++i)
      sql += ", ?";
    condition(sql + ")");
    for (const auto& v : values)
      param(v);
    return ok();
  }

  Result<void> wildcard(const Column& col, const std::string& pattern) {
    std::string prefix = pattern.substr(0, pattern.find_first_of("*?"));
    if (!prefix.empty() && col.kind != ColumnKind::kNumber)
      bounds(prefix, prefix);
    // An opaque function to the planner: tell it the test is selective, so an unanchored
    // patient-name pattern scans patients rather than every study in date order.
    condition("likelihood(arca_wildcard(?, " + text_ + "), 0.05)");
    param(pattern);
    return ok();
  }

  Result<void> range(const std::string& low, const std::string& high) {
    condition(text_ + " <> ''");
    bounds(low, high);
    return ok();
  }

  // text >= low (if any) AND text < successor(high) (if any).
  void bounds(const std::string& low, const std::string& high) {
    if (!low.empty()) {
      condition(text_ + " >= ?");
      param(low);
    }
    if (auto up = high.empty() ? std::nullopt : successor(high)) {
      condition(text_ + " < ?");
      param(*up);
    }
  }

  SqlQuery& out_;
  std::string text_;
};

// Every joined row carries the same tenant; constraining each alias lets the planner start
// from whichever table a matcher makes selective.
std::string_view tenant_condition(QueryLevel level) {
  switch (level) {
    case QueryLevel::kPatient:
      return "p.tenant = ?1";
    case QueryLevel::kStudy:
      return "s.tenant = ?1 AND p.tenant = ?1";
    case QueryLevel::kSeries:
      return "se.tenant = ?1 AND s.tenant = ?1 AND p.tenant = ?1";
    case QueryLevel::kInstance:
      break;
  }
  return "i.tenant = ?1 AND se.tenant = ?1 AND s.tenant = ?1 AND p.tenant = ?1";
}

std::string_view default_order(QueryLevel level) {
  switch (level) {
    case QueryLevel::kPatient:
      return " ORDER BY p.patient_id, p.issuer_of_patient_id, p.patient_ref";
    case QueryLevel::kStudy:
      return " ORDER BY s.study_date DESC, s.study_time DESC, s.study_uid";
    case QueryLevel::kSeries:
      return " ORDER BY s.study_date DESC, s.study_time DESC, s.study_uid, "
             "se.series_number NULLS LAST, se.series_uid";
    case QueryLevel::kInstance:
      break;
  }
  return " ORDER BY s.study_date DESC, s.study_time DESC, s.study_uid, "
         "se.series_number NULLS LAST, se.series_uid, i.instance_number NULLS LAST, i.sop_uid";
}

// What follows the study UID in the default order: the series and instance order.
std::string_view below_study_order(QueryLevel level) {
  switch (level) {
    case QueryLevel::kPatient:
    case QueryLevel::kStudy:
      return "";
    case QueryLevel::kSeries:
      return ", se.series_number NULLS LAST, se.series_uid";
    case QueryLevel::kInstance:
      break;
  }
  return ", se.series_number NULLS LAST, se.series_uid, i.instance_number NULLS LAST, i.sop_uid";
}

std::string sort_column(const SortTerm& term) {
  const char* dir = term.direction == SortDirection::kDescending ? " DESC" : "";
  switch (term.attribute) {
    case QueryAttribute::kStudyDate:
      return std::string("s.study_date") + dir + ", s.study_time" + dir;
    case QueryAttribute::kPatientName:
      return std::string("p.patient_name_upper") + dir;
    case QueryAttribute::kPatientId:
      return std::string("p.patient_id") + dir;
    case QueryAttribute::kAccessionNumber:
      return std::string("s.accession_number") + dir;
    case QueryAttribute::kModalitiesInStudy:
      return std::string("s.modalities") + dir;
    case QueryAttribute::kStudyDescription:
      return std::string("s.study_description") + dir;
    default:
      break;
  }
  return {};
}

// The requested terms, then the study UID in the last term's direction (a total order that one
// index per key serves in both directions, migration 5), then the levels below.
Result<std::string> order_by(const Query& query) {
  if (query.order.empty())
    return std::string(default_order(query.level));
  if (query.level == QueryLevel::kPatient)
    return make_error(ErrorCode::kInvalidArgument, "patient level results cannot be ordered");
  std::string out = " ORDER BY ";
  for (const SortTerm& term : query.order) {
    std::string column = sort_column(term);
    if (column.empty())
      return make_error(ErrorCode::kInvalidArgument, "attribute cannot be sorted on");
    out += column + ", ";
  }
  out += "s.study_uid";
  if (query.order.back().direction == SortDirection::kDescending)
    out += " DESC";
  out += below_study_order(query.level);
  return out;
}

// Whether a study-level query needs the patients table (a patient matcher, or a patient sort key
// when `sorted`); without one, counting and paging walk one studies index and never touch a
// patient row.
enum class Sorted { kNo, kYes };

bool touches_patients(const Query& query, Sorted sorted) {
  for (const Matcher& m : query.matchers) {
    if (attribute_level(m.attribute) == QueryLevel::kPatient)
      return true;
  }
  if (sorted == Sorted::kNo)
    return false;
  for (const SortTerm& t : query.order) {
    if (attribute_level(t.attribute) == QueryLevel::kPatient)
      return true;
  }
  return false;
}

struct From {
  std::string_view tables;
  std::string_view tenant;
};

From from_for(const Query& query, Sorted sorted) {
  if (query.level == QueryLevel::kStudy && !touches_patients(query, sorted))
    return {"studies s", "s.tenant = ?1"};
  return {tables_from(query.level), tenant_condition(query.level)};
}

Result<void> add_conditions(SqlQuery& out, const TenantId& tenant, const Query& query, From from) {
  out.sql += " FROM " + std::string(from.tables) + " WHERE " + std::string(from.tenant);
  out.params.emplace_back(tenant.str());
  Builder builder(out);
  for (const Matcher& m : query.matchers) {
    if (attribute_level(m.attribute) > query.level)
      return make_error(ErrorCode::kInvalidArgument, "query attribute below the query level");
    ARCA_TRY(builder.add(m));
  }
  return ok();
}

std::int64_t clamp(std::size_t n) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(n > kMax ? kMax : n);
}

}  // namespace

std::string fold_person_name(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<SqlQuery> build_query(const TenantId& tenant, const Query& query) {
  SqlQuery out;
  const std::string order = ARCA_TRY(order_by(query));
  if (query.level == QueryLevel::kStudy) {
    // Deferred join: the page's study ids come from an index walk alone (OFFSET skips index
    // entries, not whole joined rows), then only those rows are read with their patient.
    out.sql = "SELECT " + std::string(columns_through(query.level)) + " FROM " +
              std::string(tables_from(query.level)) + " WHERE s.id IN (SELECT s.id";
    ARCA_TRY(add_conditions(out, tenant, query, from_for(query, Sorted::kYes)));
    out.sql += order + " LIMIT ? OFFSET ?)" + order;
  } else {
    out.sql = "SELECT " + std::string(columns_through(query.level));
    ARCA_TRY(add_conditions(out, tenant, query, from_for(query, Sorted::kYes)));
    out.sql += order + " LIMIT ? OFFSET ?";
  }
  out.params.emplace_back(query.limit == 0 ? std::int64_t{-1} : clamp(query.limit));
  out.params.emplace_back(clamp(query.offset));
  return out;
}

Result<SqlQuery> build_count(const TenantId& tenant, const Query& query) {
  SqlQuery out;
  out.sql = "SELECT COUNT(*)";
  ARCA_TRY(add_conditions(out, tenant, query, from_for(query, Sorted::kNo)));
  return out;
}

}  // namespace arca::store::sqlite
