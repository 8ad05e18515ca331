#include "domain/query_keys.h"

#include <algorithm>
#include <array>

#include "core/bytes.h"

namespace arca {
namespace {

using A = QueryAttribute;
using L = QueryLevel;

std::string number(const std::optional<std::int64_t>& n) {
  return n ? std::to_string(*n) : std::string();
}

// clang-format off
const std::array<QueryKey, 36> kKeys{{
  {0x00100020, "PatientID", "LO", L::kPatient, A::kPatientId, [](const QueryRow& r) { return r.attributes.patient.patient_id; }},
  {0x00100021, "IssuerOfPatientID", "LO", L::kPatient, A::kIssuerOfPatientId, [](const QueryRow& r) { return r.attributes.patient.issuer_of_patient_id; }},
  {0x00100010, "PatientName", "PN", L::kPatient, A::kPatientName, [](const QueryRow& r) { return r.attributes.patient.patient_name; }},
  {0x00100030, "PatientBirthDate", "DA", L::kPatient, A::kPatientBirthDate, [](const QueryRow& r) { return r.attributes.patient.birth_date; }},
  {0x00100040, "PatientSex", "CS", L::kPatient, A::kPatientSex, [](const QueryRow& r) { return r.attributes.patient.sex; }},
  {0x00201200, "NumberOfPatientRelatedStudies", "IS", L::kPatient, std::nullopt, [](const QueryRow& r) { return std::to_string(r.patient_related_studies); }},
  {0x0020000D, "StudyInstanceUID", "UI", L::kStudy, A::kStudyUid, [](const QueryRow& r) { return r.attributes.study.study_uid.str(); }},
  {0x00080020, "StudyDate", "DA", L::kStudy, A::kStudyDate, [](const QueryRow& r) { return r.attributes.study.study_date; }},
  {0x00080030, "StudyTime", "TM", L::kStudy, A::kStudyTime, [](const QueryRow& r) { return r.attributes.study.study_time; }},
  {0x00080050, "AccessionNumber", "SH", L::kStudy, A::kAccessionNumber, [](const QueryRow& r) { return r.attributes.study.accession_number; }},
  {0x00080090, "ReferringPhysicianName", "PN", L::kStudy, A::kReferringPhysicianName, [](const QueryRow& r) { return r.attributes.study.referring_physician_name; }},
  {0x00081030, "StudyDescription", "LO", L::kStudy, A::kStudyDescription, [](const QueryRow& r) { return r.attributes.study.study_description; }},
  {0x00200010, "StudyID", "SH", L::kStudy, A::kStudyId, [](const QueryRow& r) { return r.attributes.study.study_id; }},
  {0x00080061, "ModalitiesInStudy", "CS", L::kStudy, A::kModalitiesInStudy, [](const QueryRow& r) { return r.modalities_in_study; }},
  {0x00080201, "TimezoneOffsetFromUTC", "SH", L::kStudy, std::nullopt, [](const QueryRow& r) { return r.attributes.study.timezone_offset; }},
  {0x00201206, "NumberOfStudyRelatedSeries", "IS", L::kStudy, std::nullopt, [](const QueryRow& r) { return std::to_string(r.study_related_series); }},
  {0x00201208, "NumberOfStudyRelatedInstances", "IS", L::kStudy, std::nullopt, [](const QueryRow& r) { return std::to_string(r.study_related_instances); }},
  {0x0020000E, "SeriesInstanceUID", "UI", L::kSeries, A::kSeriesUid, [](const QueryRow& r) { return r.attributes.series.series_uid.str(); }},
  {0x00080060, "Modality", "CS", L::kSeries, A::kModality, [](const QueryRow& r) { return r.attributes.series.modality; }},
  {0x00200011, "SeriesNumber", "IS", L::kSeries, A::kSeriesNumber, [](const QueryRow& r) { return number(r.attributes.series.series_number); }},
  {0x0008103E, "SeriesDescription", "LO", L::kSeries, A::kSeriesDescription, [](const QueryRow& r) { return r.attributes.series.series_description; }},
  {0x00180015, "BodyPartExamined", "CS", L::kSeries, A::kBodyPartExamined, [](const QueryRow& r) { return r.attributes.series.body_part_examined; }},
  {0x00080021, "SeriesDate", "DA", L::kSeries, std::nullopt, [](const QueryRow& r) { return r.attributes.series.series_date; }},
  {0x00080031, "SeriesTime", "TM", L::kSeries, std::nullopt, [](const QueryRow& r) { return r.attributes.series.series_time; }},
  {0x00080080, "InstitutionName", "LO", L::kSeries, std::nullopt, [](const QueryRow& r) { return r.attributes.series.institution_name; }},
  {0x00201209, "NumberOfSeriesRelatedInstances", "IS", L::kSeries, std::nullopt, [](const QueryRow& r) { return std::to_string(r.series_related_instances); }},
  {0x00080018, "SOPInstanceUID", "UI", L::kInstance, A::kSopInstanceUid, [](const QueryRow& r) { return r.attributes.instance.sop_instance_uid.str(); }},
  {0x00080016, "SOPClassUID", "UI", L::kInstance, A::kSopClassUid, [](const QueryRow& r) { return r.attributes.instance.sop_class_uid.str(); }},
  {0x00200013, "InstanceNumber", "IS", L::kInstance, A::kInstanceNumber, [](const QueryRow& r) { return number(r.attributes.instance.instance_number); }},
  {0x00280010, "Rows", "US", L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.rows); }},
  {0x00280011, "Columns", "US", L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.columns); }},
  {0x00280100, "BitsAllocated", "US", L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.bits_allocated); }},
  {0x00280008, "NumberOfFrames", "IS", L::kInstance, std::nullopt, [](const QueryRow& r) { return number(r.attributes.instance.number_of_frames); }},
  {0x00080023, "ContentDate", "DA", L::kInstance, std::nullopt, [](const QueryRow& r) { return r.attributes.instance.content_date; }},
  {0x00080033, "ContentTime", "TM", L::kInstance, std::nullopt, [](const QueryRow& r) { return r.attributes.instance.content_time; }},
  {0x00083002, "AvailableTransferSyntaxUID", "UI", L::kInstance, std::nullopt, [](const QueryRow& r) { return r.attributes.instance.transfer_syntax.str(); }},
}};
// clang-format on

std::optional<std::uint32_t> parse_tag(std::string_view s) {
  if (s.size() != 8)
    return std::nullopt;
  std::uint32_t tag = 0;
  for (char c : s) {
    int d = hex_value(c);
    if (d < 0)
      return std::nullopt;
    tag = tag << 4 | static_cast<std::uint32_t>(d);
  }
  return tag;
}

}  // namespace

std::span<const QueryKey> query_keys() {
  return kKeys;
}

const QueryKey* find_query_key(std::uint32_t tag) {
  auto it =
      std::find_if(kKeys.begin(), kKeys.end(), [&](const QueryKey& k) { return k.tag == tag; });
  return it == kKeys.end() ? nullptr : &*it;
}

const QueryKey* find_query_key(std::string_view keyword_or_tag) {
  if (auto tag = parse_tag(keyword_or_tag))
    return find_query_key(*tag);
  auto it = std::find_if(kKeys.begin(), kKeys.end(),
                         [&](const QueryKey& k) { return k.keyword == keyword_or_tag; });
  return it == kKeys.end() ? nullptr : &*it;
}

}  // namespace arca
