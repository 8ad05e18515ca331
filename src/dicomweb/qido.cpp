#include "dicomweb/qido.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "dicomweb/dicom_json.h"
#include "dicomweb/dicom_xml.h"

namespace arca::dicomweb {
namespace {

constexpr std::uint32_t kSpecificCharacterSet = 0x00080005;

Result<std::size_t> parse_count(std::string_view name, std::string_view value) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size())
    return make_error(ErrorCode::kInvalidArgument, std::string(name) + " must be a number");
  return n;
}

// The attributes answered when the client names none (PS3.18 §10.6.3.3): those of the query
// level, plus those of the levels above that the path does not already fix.
bool returned_by_default(const QueryKey& key, const QidoScope& scope) {
  if (key.tag == 0x00201200 || key.level > scope.level)  // 00201200: only on request
    return false;
  switch (key.level) {
    case QueryLevel::kPatient:
    case QueryLevel::kStudy:
      return scope.level == QueryLevel::kStudy || !scope.study;
    case QueryLevel::kSeries:
      return scope.level == QueryLevel::kSeries || !scope.series;
    case QueryLevel::kInstance:
      return scope.level == QueryLevel::kInstance;
  }
  return false;
}

void add_includefields(std::string_view list, const QidoScope& scope,
                       std::set<const QueryKey*>& fields) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = std::min(list.find(',', start), list.size());
    std::string_view name = list.substr(start, end - start);
    for (const QueryKey& key : query_keys()) {
      if (key.level > scope.level)
        continue;
      if (name == "all" || key.keyword == name || find_query_key(name) == &key)
        fields.insert(&key);
    }
    start = end + 1;
  }
}

Result<void> add_matcher(Query& query, const QueryKey& key, std::string_view value) {
  if (!key.attribute || key.level > query.level) {
    return make_error(ErrorCode::kInvalidArgument,
                      "matching on " + std::string(key.keyword) + " is not supported here");
  }
  ParsedMatcher parsed = parse_matcher(*key.attribute, value);
  if (!parsed.error.empty())
    return make_error(ErrorCode::kInvalidArgument, parsed.error);
  if (parsed.matcher)
    query.matchers.push_back(std::move(*parsed.matcher));
  return ok();
}

Result<void> add_scope_matchers(Query& query, const QidoScope& scope) {
  if (scope.study) {
    ARCA_TRY(add_matcher(query, *find_query_key("StudyInstanceUID"), *scope.study));
  }
  if (scope.series) {
    ARCA_TRY(add_matcher(query, *find_query_key("SeriesInstanceUID"), *scope.series));
  }
  return ok();
}

}  // namespace

Result<QidoRequest> parse_qido(const QidoScope& scope, const http::QueryParams& params) {
  QidoRequest out;
  out.query.level = scope.level;
  out.query.limit = kMaxResults;
  ARCA_TRY(add_scope_matchers(out.query, scope));
  std::set<const QueryKey*> fields;
  for (const QueryKey& key : query_keys()) {
    if (returned_by_default(key, scope))
      fields.insert(&key);
  }
  for (const auto& [name, value] : params.items()) {
    if (name == "limit") {
      out.query.limit = std::min(ARCA_TRY(parse_count(name, value)), kMaxResults);
    } else if (name == "offset") {
      out.query.offset = ARCA_TRY(parse_count(name, value));
    } else if (name == "fuzzymatching") {
      if (value != "true" && value != "false")
        return make_error(ErrorCode::kInvalidArgument, "fuzzymatching must be true or false");
    } else if (name == "orderby") {
      ParsedOrder order = parse_order(value);
      if (!order.error.empty())
        return make_error(ErrorCode::kInvalidArgument, order.error);
      if (!order.terms.empty() && scope.level == QueryLevel::kPatient)
        return make_error(ErrorCode::kInvalidArgument, "patient results cannot be ordered");
      out.query.order = std::move(order.terms);
    } else if (name == "includetotal") {
      if (value != "true" && value != "false")
        return make_error(ErrorCode::kInvalidArgument, "includetotal must be true or false");
      out.total = value == "true" ? TotalCount::kCount : TotalCount::kSkip;
    } else if (name == "includefield") {
      add_includefields(value, scope, fields);
    } else {
      const QueryKey* key = find_query_key(name);
      if (key == nullptr)
        return make_error(ErrorCode::kInvalidArgument, "unknown query attribute");
      ARCA_TRY(add_matcher(out.query, *key, value));
      fields.insert(key);
    }
  }
  for (const QueryKey& key : query_keys()) {
    if (fields.count(&key) != 0)
      out.fields.push_back(&key);
  }
  return out;
}

std::string qido_json(const std::vector<QueryRow>& rows,
                      const std::vector<const QueryKey*>& fields) {
  std::vector<DicomJsonObject> objects;
  objects.reserve(rows.size());
  for (const QueryRow& row : rows) {
    DicomJsonObject o;
    o.add(kSpecificCharacterSet, "CS", "ISO_IR 192");  // values are UTF-8
    for (const QueryKey* key : fields)
      o.add(key->tag, key->vr, key->read(row));
    objects.push_back(std::move(o));
  }
  return json_array(objects);
}

std::vector<std::string> qido_xml(const std::vector<QueryRow>& rows,
                                  const std::vector<const QueryKey*>& fields) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const QueryRow& row : rows) {
    DicomXmlObject o;
    o.add(kSpecificCharacterSet, "SpecificCharacterSet", "CS", "ISO_IR 192");
    for (const QueryKey* key : fields)
      o.add(key->tag, key->keyword, key->vr, key->read(row));
    out.push_back(o.str());
  }
  return out;
}

}  // namespace arca::dicomweb
