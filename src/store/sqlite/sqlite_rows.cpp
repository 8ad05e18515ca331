#include "store/sqlite/sqlite_rows.h"

namespace arca::store::sqlite {
namespace {

constexpr std::string_view kPatientColumns =
    "p.patient_id, p.issuer_of_patient_id, p.patient_name, p.birth_date, p.sex, p.study_count";
constexpr std::string_view kThroughStudy =
    "p.patient_id, p.issuer_of_patient_id, p.patient_name, p.birth_date, p.sex, "
    "p.study_count, s.study_uid, s.study_date, s.study_time, s.accession_number, "
    "s.referring_physician_name, s.study_description, s.study_id, s.timezone_offset, "
    "s.series_count, s.instance_count, s.modalities";
constexpr std::string_view kThroughSeries =
    "p.patient_id, p.issuer_of_patient_id, p.patient_name, p.birth_date, p.sex, "
    "p.study_count, s.study_uid, s.study_date, s.study_time, s.accession_number, "
    "s.referring_physician_name, s.study_description, s.study_id, s.timezone_offset, "
    "s.series_count, s.instance_count, s.modalities, se.series_uid, se.modality, "
    "se.series_number, se.series_description, se.series_date, se.series_time, "
    "se.body_part_examined, se.pps_start_date, se.pps_start_time, se.institution_name, "
    "se.instance_count";
constexpr std::string_view kThroughInstance =
    "p.patient_id, p.issuer_of_patient_id, p.patient_name, p.birth_date, p.sex, "
    "p.study_count, s.study_uid, s.study_date, s.study_time, s.accession_number, "
    "s.referring_physician_name, s.study_description, s.study_id, s.timezone_offset, "
    "s.series_count, s.instance_count, s.modalities, se.series_uid, se.modality, "
    "se.series_number, se.series_description, se.series_date, se.series_time, "
    "se.body_part_examined, se.pps_start_date, se.pps_start_time, se.institution_name, "
    "se.instance_count, i.sop_uid, i.sop_class_uid, i.transfer_syntax, i.instance_number, "
    "i.pixel_rows, i.pixel_columns, i.bits_allocated, i.number_of_frames, i.content_date, "
    "i.content_time, i.specific_character_set";

// Reads consecutive columns.
class Cursor {
 public:
  explicit Cursor(const Statement& st) : st_(st) {}
  std::string text() { return st_.column_text(col_++); }
  std::int64_t integer() { return st_.column_int(col_++); }
  std::optional<std::int64_t> opt_int() { return st_.column_opt_int(col_++); }

 private:
  const Statement& st_;
  int col_ = 0;
};

void read_patient(Cursor& c, QueryRow& row) {
  auto& p = row.attributes.patient;
  p.patient_id = c.text();
  p.issuer_of_patient_id = c.text();
  p.patient_name = c.text();
  p.birth_date = c.text();
  p.sex = c.text();
  row.patient_related_studies = c.integer();
}

void read_study(Cursor& c, QueryRow& row) {
  auto& s = row.attributes.study;
  s.study_uid = StudyUid(c.text());
  s.study_date = c.text();
  s.study_time = c.text();
  s.accession_number = c.text();
  s.referring_physician_name = c.text();
  s.study_description = c.text();
  s.study_id = c.text();
  s.timezone_offset = c.text();
  row.study_related_series = c.integer();
  row.study_related_instances = c.integer();
  row.modalities_in_study = c.text();
}

void read_series(Cursor& c, QueryRow& row) {
  auto& se = row.attributes.series;
  se.series_uid = SeriesUid(c.text());
  se.modality = c.text();
  se.series_number = c.opt_int();
  se.series_description = c.text();
  se.series_date = c.text();
  se.series_time = c.text();
  se.body_part_examined = c.text();
  se.performed_procedure_step_start_date = c.text();
  se.performed_procedure_step_start_time = c.text();
  se.institution_name = c.text();
  row.series_related_instances = c.integer();
}

void read_instance(Cursor& c, QueryRow& row) {
  auto& i = row.attributes.instance;
  i.sop_instance_uid = InstanceUid(c.text());
  i.sop_class_uid = SopClassUid(c.text());
  i.transfer_syntax = TransferSyntaxUid(c.text());
  i.instance_number = c.opt_int();
  i.rows = c.opt_int();
  i.columns = c.opt_int();
  i.bits_allocated = c.opt_int();
  i.number_of_frames = c.opt_int();
  i.content_date = c.text();
  i.content_time = c.text();
  row.attributes.specific_character_set = c.text();
}

QueryRow read_levels(Cursor& c, QueryLevel level) {
  QueryRow row;
  read_patient(c, row);
  if (level == QueryLevel::kPatient)
    return row;
  read_study(c, row);
  if (level == QueryLevel::kStudy)
    return row;
  read_series(c, row);
  if (level == QueryLevel::kSeries)
    return row;
  read_instance(c, row);
  return row;
}

}  // namespace

std::string_view columns_through(QueryLevel level) {
  switch (level) {
    case QueryLevel::kPatient:
      return kPatientColumns;
    case QueryLevel::kStudy:
      return kThroughStudy;
    case QueryLevel::kSeries:
      return kThroughSeries;
    case QueryLevel::kInstance:
      return kThroughInstance;
  }
  return kThroughInstance;
}

std::string_view tables_from(QueryLevel level) {
  switch (level) {
    case QueryLevel::kPatient:
      return "patients p";
    case QueryLevel::kStudy:
      return "studies s JOIN patients p ON p.id = s.patient";
    case QueryLevel::kSeries:
      return "series se JOIN studies s ON s.id = se.study JOIN patients p ON p.id = s.patient";
    case QueryLevel::kInstance:
      break;
  }
  return "instances i JOIN series se ON se.id = i.series JOIN studies s ON s.id = se.study "
         "JOIN patients p ON p.id = s.patient";
}

QueryRow read_query_row(const Statement& st, QueryLevel level) {
  Cursor c(st);
  return read_levels(c, level);
}

const std::string& select_instance_sql() {
  static const std::string kSql = "SELECT " + std::string(kThroughInstance) +
                                  ", i.tenant, i.patient_ref, i.blob, i.size, i.sha256, "
                                  "i.received_ms FROM " +
                                  std::string(tables_from(QueryLevel::kInstance)) + " ";
  return kSql;
}

StoredInstance read_stored_instance(const Statement& st) {
  Cursor c(st);
  QueryRow row = read_levels(c, QueryLevel::kInstance);
  StoredInstance out;
  out.attributes = std::move(row.attributes);
  out.tenant = TenantId(c.text());
  out.patient_ref = PatientRef(c.text());
  out.blob = BlobId(c.text());
  out.size = static_cast<std::uint64_t>(c.integer());
  out.sha256 = c.text();
  out.received_ms = c.integer();
  return out;
}

}  // namespace arca::store::sqlite
