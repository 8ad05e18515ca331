#include "dimse/find_keys.h"

#include <algorithm>

#include "domain/query_keys.h"

namespace arca::dimse {
namespace {

using L = QueryLevel;

std::optional<QueryLevel> parse_level(std::string_view level, QueryModel model) {
  if (level == "PATIENT")
    return model == QueryModel::kPatientRoot ? std::optional(L::kPatient) : std::nullopt;
  if (level == "STUDY")
    return L::kStudy;
  if (level == "SERIES")
    return L::kSeries;
  if (level == "IMAGE")
    return L::kInstance;
  return std::nullopt;
}

std::string trim(std::string_view v) {
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  return std::string(v);
}

}  // namespace

Result<FindRequest> parse_find_identifier(QueryModel model, const std::vector<FindKey>& keys) {
  auto level_key = std::find_if(keys.begin(), keys.end(),
                                [](const FindKey& k) { return k.tag == kQueryRetrieveLevel; });
  if (level_key == keys.end())
    return make_error(ErrorCode::kInvalidArgument, "identifier lacks QueryRetrieveLevel");
  FindRequest out;
  out.level = trim(level_key->value);
  auto level = parse_level(out.level, model);
  if (!level)
    return make_error(ErrorCode::kInvalidArgument, "query level not supported by this model");
  out.query.level = *level;
  for (const FindKey& key : keys) {
    if (key.tag == kQueryRetrieveLevel || key.tag == kSpecificCharacterSet)
      continue;
    out.return_keys.push_back(key.tag);
    const QueryKey* info = find_query_key(key.tag);
    if (info == nullptr || !info->attribute || info->level > *level)
      continue;
    std::string value = trim(key.value);
    ParsedMatcher parsed = parse_matcher(*info->attribute, value);
    if (!parsed.error.empty())
      return make_error(ErrorCode::kInvalidArgument, parsed.error);
    if (parsed.matcher)
      out.query.matchers.push_back(std::move(*parsed.matcher));
  }
  return out;
}

std::string answer_value(std::uint32_t tag, const QueryRow& row, QueryLevel level) {
  const QueryKey* info = find_query_key(tag);
  if (info == nullptr || info->level > level)
    return {};
  return info->read(row);
}

}  // namespace arca::dimse
