#include "dimse/find_keys.h"

#include <algorithm>
#include <array>

namespace arca::dimse {
namespace {

using A = QueryAttribute;
using L = QueryLevel;

std::string number(const std::optional<std::int64_t>& n) {
  return n ? std::to_string(*n) : std::string();
}

// A key Arca can answer: its level, the attribute it matches on (if indexed for matching) and
// how to read it from a row.
struct KeyInfo {
  std::uint32_t tag;
  L level;
  std::optional<A> attribute;
  std::string (*read)(const QueryRow&);
};

// clang-format off
const std::array<KeyInfo, 36> kKeys{{
  {0x00100020, L::kPatient, A::kPatientId, [](const QueryRow& r) { return r.attributes.patient.patient_id; }},
  {0x00100021, L::kPatient, A::kIssuerOfPatientId, [](const QueryRow& r) { return r.attributes.patient.issuer_of_patient_id; }},
  {0x00100010, L::kPatient, A::kPatientName, [](const QueryRow& r) { return r.attributes.patient.patient_name; }},
  {0x00100030, L::kPatient, A::kPatientBirthDate, [](const QueryRow& r) { return r.attributes.patient.birth_date; }},
  {0x00100040, L::kPatient, A::kPatientSex, [](const QueryRow& r) { return r.attributes.patient.sex; }},
  {0x00201200, L::kPatient, std::nullopt, [](const QueryRow& r) { return std::to_string(r.patient_related_studies); }},
  {0x0020000D, L::kStudy, A::kStudyUid, [](const QueryRow& r) { return r.attributes.study.study_uid.str(); }},
  {0x00080020, L::kStudy, A::kStudyDate, [](const QueryRow& r) { return r.attributes.study.study_date; }},
  {0x00080030, L::kStudy, A::kStudyTime, [](const QueryRow& r) { return r.attributes.study.study_time; }},
  {0x00080050, L::kStudy, A::kAccessionNumber, [](const QueryRow& r) { return r.attributes.study.accession_number; }},
  {0x00080090, L::kStudy, A::kReferringPhysicianName, [](const QueryRow& r) { return r.attributes.study.referring_physician_name; }},
  {0x00081030, L::kStudy, A::kStudyDescription, [](const QueryRow& r) { return r.attributes.study.study_description; }},
  {0x00200010, L::kStudy, A::kStudyId, [](const QueryRow& r) { return r.attributes.study.study_id; }},
  {0x00080061, L::kStudy, A::kModalitiesInStudy, [](const QueryRow& r) { return r.modalities_in_study; }},
  {0x00080201, L::kStudy, std::nullopt, [](const QueryRow& r) { return r.attributes.study.timezone_offset; }},
  {0x00201206, L::kStudy, std::nullopt, [](const QueryRow& r) { return std::to_string(r.study_related_series); }},
  {0x00201208, L::kStudy, std::nullopt, [](const QueryRow& r) { return std::to_string(r.study_related_instances); }},
  {0x0020000E, L::kSeries, A::kSeriesUid, [](const QueryRow& r) { return r.attributes.series.series_uid.str(); }},
  {0x00080060, L::kSeries, A::kModality, [](const QueryRow& r) { return r.attributes.series.modality; }},
  {0x00200011, L::kSeries, A::kSeriesNumber, [](const QueryRow& r) { return number(r.attributes.series.series_number); }},
  {0x0008103E, L::kSeries, A::kSeriesDescription, [](const QueryRow& r) { return r.attributes.series.series_description; }},
  {0x00180015, L::kSeries, A::kBodyPartExamined, [](const QueryRow& r) { return r.attributes.series.body_part_examined; }},
  {0x00080021, L::kSeries, std::nullopt, [](const QueryRow& r) { return r.attributes.series.series_date; }},
  {0x00080031, L::kSeries, std::nullopt, [](const QueryRow& r) { return r.attributes.series.series_time; }},
  {0x00080080, L::kSeries, std::nullopt, [](const QueryRow& r) { return r.attributes.series.institution_name; }},
  {0x00201209, L::kSeries, std::nullopt, [](const QueryRow& r) { return std::to_string(r.series_related_instances); }},
  {0x00080018, L::kInstance, A::kSopInstanceUid, [](const QueryRow& r) { return r.attributes.instance.sop_instance_uid.str(); }},
  {0x00080016, L::kInstance, A::kSopClassUid, [](const QueryRow& r) { return r.attributes.instance.sop_class_uid.str(); }},
  {0x00200013, L::kInstance, A::kInstanceNumber, [](const QueryRow& r) { return number(r.attributes.instance.instance_number); }},
  {0x00280010, L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.rows); }},
  {0x00280011, L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.columns); }},
  {0x00280100, L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.bits_allocated); }},
  {0x00280008, L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.number_of_frames); }},
  {0x00080023, L::kInstance, std::nullopt, [](const QueryRow& r) { return r.attributes.instance.content_date; }},
  {0x00080033, L::kInstance, std::nullopt, [](const QueryRow& r) { return r.attributes.instance.content_time; }},
  {0x00083002, L::kInstance, std::nullopt, [](const QueryRow& r) { return r.attributes.instance.transfer_syntax.str(); }},
}};
// clang-format on

const KeyInfo* find_key(std::uint32_t tag) {
  auto it =
      std::find_if(kKeys.begin(), kKeys.end(), [&](const KeyInfo& k) { return k.tag == tag; });
  return it == kKeys.end() ? nullptr : &*it;
}

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
    const KeyInfo* info = find_key(key.tag);
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
  const KeyInfo* info = find_key(tag);
  if (info == nullptr || info->level > level)
    return {};
  return info->read(row);
}

}  // namespace arca::dimse
