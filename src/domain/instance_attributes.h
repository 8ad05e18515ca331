// The attributes Arca indexes for each stored instance, at patient, study, series and instance
// level. Strings are UTF-8 (decoded from the object's Specific Character Set); DICOM string
// formats are kept (dates YYYYMMDD, times HHMMSS.frac, person names with ^ and =).
// An empty string means the attribute was absent or empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/ids.h"

namespace arca {

struct PatientAttributes {
  std::string patient_id;            // (0010,0020)
  std::string issuer_of_patient_id;  // (0010,0021)
  std::string patient_name;          // (0010,0010)
  std::string birth_date;            // (0010,0030)
  std::string sex;                   // (0010,0040)
};

struct StudyAttributes {
  StudyUid study_uid;                    // (0020,000D)
  std::string study_date;                // (0008,0020)
  std::string study_time;                // (0008,0030)
  std::string accession_number;          // (0008,0050)
  std::string referring_physician_name;  // (0008,0090)
  std::string study_description;         // (0008,1030)
  std::string study_id;                  // (0020,0010)
  std::string timezone_offset;           // (0008,0201)
};

struct SeriesAttributes {
  SeriesUid series_uid;                             // (0020,000E)
  std::string modality;                             // (0008,0060)
  std::optional<std::int64_t> series_number;        // (0020,0011)
  std::string series_description;                   // (0008,103E)
  std::string series_date;                          // (0008,0021)
  std::string series_time;                          // (0008,0031)
  std::string body_part_examined;                   // (0018,0015)
  std::string performed_procedure_step_start_date;  // (0040,0244)
  std::string performed_procedure_step_start_time;  // (0040,0245)
  std::string institution_name;                     // (0008,0080)
};

struct InstanceAttributes {
  InstanceUid sop_instance_uid;                  // (0008,0018)
  SopClassUid sop_class_uid;                     // (0008,0016)
  TransferSyntaxUid transfer_syntax;             // (0002,0010)
  std::optional<std::int64_t> instance_number;   // (0020,0013)
  std::optional<std::int64_t> rows;              // (0028,0010)
  std::optional<std::int64_t> columns;           // (0028,0011)
  std::optional<std::int64_t> bits_allocated;    // (0028,0100)
  std::optional<std::int64_t> number_of_frames;  // (0028,0008)
  std::string content_date;                      // (0008,0023)
  std::string content_time;                      // (0008,0033)
};

struct IndexAttributes {
  // The object's own (0008,0005), e.g. "ISO_IR 100"; values above are already UTF-8.
  std::string specific_character_set;
  PatientAttributes patient;
  StudyAttributes study;
  SeriesAttributes series;
  InstanceAttributes instance;
};

}  // namespace arca
