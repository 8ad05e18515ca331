#include "dicom/extract.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <charconv>
#include <optional>
#include <string_view>

#include "dicom/text_decoder.h"

namespace arca::dicom::detail {
namespace {

// The raw bytes of a string element's value, or nullopt when absent or not a string.
std::optional<std::string_view> raw_value(DcmItem& item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(tag, element).bad() || element == nullptr)
    return std::nullopt;
  char* data = nullptr;
  Uint32 length = 0;
  if (element->getString(data, length).bad() || data == nullptr)
    return std::nullopt;
  return std::string_view(data, length);
}

std::string_view trim_padding(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\0'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\0'))
    v.remove_suffix(1);
  return v;
}

// Reads one data set's indexed values; owns the decoder for its character set.
class AttributeReader {
 public:
  explicit AttributeReader(DcmItem& item)
      : item_(item), charset_(ascii(DCM_SpecificCharacterSet)), decoder_(charset_) {}

  const std::string& charset() const { return charset_; }

  std::string ascii(const DcmTagKey& tag) {
    auto raw = raw_value(item_, tag);
    return raw ? std::string(trim_padding(*raw)) : std::string();
  }
  std::string text(const DcmTagKey& tag) { return decode(tag, TextKind::kText); }
  std::string name(const DcmTagKey& tag) { return decode(tag, TextKind::kPersonName); }

  // IS and US values; nullopt when absent, empty or not an integer.
  std::optional<std::int64_t> integer(const DcmTagKey& tag) {
    DcmElement* element = nullptr;
    OFString value;
    if (item_.findAndGetElement(tag, element).bad() || element == nullptr ||
        element->getOFString(value, 0, OFTrue).bad())
      return std::nullopt;
    std::string_view v = trim_padding(std::string_view(value.c_str(), value.length()));
    if (!v.empty() && v.front() == '+')
      v.remove_prefix(1);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size())
      return std::nullopt;
    return n;
  }

 private:
  std::string decode(const DcmTagKey& tag, TextKind kind) {
    auto raw = raw_value(item_, tag);
    return raw ? decoder_.decode(*raw, kind) : std::string();
  }

  DcmItem& item_;
  std::string charset_;
  TextDecoder decoder_;
};

PatientAttributes patient(AttributeReader& r) {
  PatientAttributes p;
  p.patient_id = r.text(DCM_PatientID);
  p.issuer_of_patient_id = r.text(DCM_IssuerOfPatientID);
  p.patient_name = r.name(DCM_PatientName);
  p.birth_date = r.text(DCM_PatientBirthDate);
  p.sex = r.text(DCM_PatientSex);
  return p;
}

StudyAttributes study(AttributeReader& r) {
  StudyAttributes s;
  s.study_uid = StudyUid(r.ascii(DCM_StudyInstanceUID));
  s.study_date = r.text(DCM_StudyDate);
  s.study_time = r.text(DCM_StudyTime);
  s.accession_number = r.text(DCM_AccessionNumber);
  s.referring_physician_name = r.name(DCM_ReferringPhysicianName);
  s.study_description = r.text(DCM_StudyDescription);
  s.study_id = r.text(DCM_StudyID);
  s.timezone_offset = r.text(DCM_TimezoneOffsetFromUTC);
  return s;
}

SeriesAttributes series(AttributeReader& r) {
  SeriesAttributes s;
  s.series_uid = SeriesUid(r.ascii(DCM_SeriesInstanceUID));
  s.modality = r.text(DCM_Modality);
  s.series_number = r.integer(DCM_SeriesNumber);
  s.series_description = r.text(DCM_SeriesDescription);
  s.series_date = r.text(DCM_SeriesDate);
  s.series_time = r.text(DCM_SeriesTime);
  s.body_part_examined = r.text(DCM_BodyPartExamined);
  s.performed_procedure_step_start_date = r.text(DCM_PerformedProcedureStepStartDate);
  s.performed_procedure_step_start_time = r.text(DCM_PerformedProcedureStepStartTime);
  s.institution_name = r.text(DCM_InstitutionName);
  return s;
}

InstanceAttributes instance(AttributeReader& r) {
  InstanceAttributes i;
  i.sop_instance_uid = InstanceUid(r.ascii(DCM_SOPInstanceUID));
  i.sop_class_uid = SopClassUid(r.ascii(DCM_SOPClassUID));
  i.instance_number = r.integer(DCM_InstanceNumber);
  i.rows = r.integer(DCM_Rows);
  i.columns = r.integer(DCM_Columns);
  i.bits_allocated = r.integer(DCM_BitsAllocated);
  i.number_of_frames = r.integer(DCM_NumberOfFrames);
  i.content_date = r.text(DCM_ContentDate);
  i.content_time = r.text(DCM_ContentTime);
  return i;
}

}  // namespace

IndexAttributes extract_attributes(DcmItem& dataset) {
  AttributeReader reader(dataset);
  IndexAttributes a;
  a.specific_character_set = reader.charset();
  a.patient = patient(reader);
  a.study = study(reader);
  a.series = series(reader);
  a.instance = instance(reader);
  return a;
}

std::string ascii_value(DcmItem& item, unsigned short group, unsigned short element) {
  auto raw = raw_value(item, DcmTagKey(group, element));
  return raw ? std::string(trim_padding(*raw)) : std::string();
}

}  // namespace arca::dicom::detail
