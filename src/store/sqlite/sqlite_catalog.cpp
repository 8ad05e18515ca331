#include "store/sqlite/sqlite_catalog.h"

#include "store/sqlite/sqlite_query.h"

namespace arca::store::sqlite {
namespace {

// The first row's integer column 0, or nullopt; resets the statement so no read stays open
// while the caller writes.
Result<std::optional<std::int64_t>> first_int(Statement& st) {
  std::optional<std::int64_t> out;
  if (ARCA_TRY(st.step()))
    out = st.column_int(0);
  st.reset();
  return out;
}

Result<std::int64_t> ensure_patient(Connection& conn, const StoredInstance& in) {
  auto find = ARCA_TRY(conn.cached("SELECT id FROM patients WHERE tenant = ? AND patient_ref = ?"));
  find.bind(1, in.tenant.str()).bind(2, in.patient_ref.str());
  if (auto id = ARCA_TRY(first_int(find)))
    return *id;
  const auto& p = in.attributes.patient;
  auto ins = ARCA_TRY(conn.cached(
      "INSERT INTO patients (tenant, patient_ref, patient_id, issuer_of_patient_id, "
      "patient_name, patient_name_upper, birth_date, sex) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, in.tenant.str()).bind(2, in.patient_ref.str()).bind(3, p.patient_id);
  ins.bind(4, p.issuer_of_patient_id).bind(5, p.patient_name);
  ins.bind(6, fold_person_name(p.patient_name)).bind(7, p.birth_date).bind(8, p.sex);
  ARCA_TRY(ins.run());
  return conn.last_insert_rowid();
}

// A study is one patient's and a series one study's: an instance whose study is stored under
// another patient, or whose series under another study, is refused rather than filed where its
// UID points (that would show images in another patient's study). UIDs only in the message.
Result<std::int64_t> ensure_study(Connection& conn, const StoredInstance& in) {
  const auto& s = in.attributes.study;
  auto find = ARCA_TRY(conn.cached(
      "SELECT st.id, p.patient_ref FROM studies st JOIN patients p ON p.id = st.patient "
      "WHERE st.tenant = ? AND st.study_uid = ?"));
  find.bind(1, in.tenant.str()).bind(2, s.study_uid.str());
  bool found = ARCA_TRY(find.step());
  std::int64_t id = found ? find.column_int(0) : 0;
  bool same_patient = found && find.column_text(1) == in.patient_ref.str();
  find.reset();
  if (found) {
    if (!same_patient)
      return make_error(ErrorCode::kHierarchyConflict,
                        "study " + s.study_uid.str() + " is stored for another patient");
    return id;
  }
  std::int64_t patient = ARCA_TRY(ensure_patient(conn, in));
  auto ins = ARCA_TRY(conn.cached(
      "INSERT INTO studies (tenant, patient, study_uid, study_date, study_time, "
      "accession_number, referring_physician_name, referring_physician_name_upper, "
      "study_description, study_id, timezone_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, in.tenant.str()).bind(2, patient).bind(3, s.study_uid.str());
  ins.bind(4, s.study_date).bind(5, s.study_time).bind(6, s.accession_number);
  ins.bind(7, s.referring_physician_name).bind(8, fold_person_name(s.referring_physician_name));
  ins.bind(9, s.study_description).bind(10, s.study_id).bind(11, s.timezone_offset);
  ARCA_TRY(ins.run());
  id = conn.last_insert_rowid();
  auto count =
      ARCA_TRY(conn.cached("UPDATE patients SET study_count = study_count + 1 WHERE id = ?"));
  ARCA_TRY(count.bind(1, patient).run());
  return id;
}

// Recomputes the study's sorted, distinct, non-empty modality list after a series change.
Result<void> refresh_modalities(Connection& conn, std::int64_t study) {
  auto st = ARCA_TRY(conn.cached(
      "UPDATE studies SET modalities = (SELECT COALESCE(group_concat(m, '\\' ORDER BY m), '') "
      "FROM (SELECT DISTINCT modality AS m FROM series WHERE study = ?1 AND modality <> '')) "
      "WHERE id = ?1"));
  return st.bind(1, study).run();
}

Result<std::int64_t> ensure_series(Connection& conn, const StoredInstance& in) {
  const auto& se = in.attributes.series;
  auto find = ARCA_TRY(
      conn.cached("SELECT se.id, st.study_uid FROM series se JOIN studies st ON st.id = se.study "
                  "WHERE se.tenant = ? AND se.series_uid = ?"));
  find.bind(1, in.tenant.str()).bind(2, se.series_uid.str());
  bool found = ARCA_TRY(find.step());
  std::int64_t id = found ? find.column_int(0) : 0;
  bool same_study = found && find.column_text(1) == in.attributes.study.study_uid.str();
  find.reset();
  if (found) {
    if (!same_study)
      return make_error(ErrorCode::kHierarchyConflict,
                        "series " + se.series_uid.str() + " is stored in another study");
    return id;
  }
  std::int64_t study = ARCA_TRY(ensure_study(conn, in));
  auto ins = ARCA_TRY(conn.cached(
      "INSERT INTO series (tenant, study, series_uid, modality, series_number, "
      "series_description, series_date, series_time, body_part_examined, pps_start_date, "
      "pps_start_time, institution_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, in.tenant.str()).bind(2, study).bind(3, se.series_uid.str());
  ins.bind(4, se.modality).bind(5, se.series_number).bind(6, se.series_description);
  ins.bind(7, se.series_date).bind(8, se.series_time).bind(9, se.body_part_examined);
  ins.bind(10, se.performed_procedure_step_start_date);
  ins.bind(11, se.performed_procedure_step_start_time).bind(12, se.institution_name);
  ARCA_TRY(ins.run());
  id = conn.last_insert_rowid();
  auto count =
      ARCA_TRY(conn.cached("UPDATE studies SET series_count = series_count + 1 WHERE id = ?"));
  ARCA_TRY(count.bind(1, study).run());
  ARCA_TRY(refresh_modalities(conn, study));
  return id;
}

// Applies `sql` (an UPDATE ... RETURNING <count>, <parent>) and returns both columns.
Result<std::pair<std::int64_t, std::int64_t>> update_returning(Connection& conn,
                                                               std::string_view sql,
                                                               std::int64_t id) {
  auto st = ARCA_TRY(conn.cached(sql));
  st.bind(1, id);
  if (!ARCA_TRY(st.step()))
    return make_error(ErrorCode::kCorruptIndex, "index row missing its parent");
  std::pair<std::int64_t, std::int64_t> out{st.column_int(0), st.column_int(1)};
  ARCA_TRY(st.run());
  return out;
}

Result<void> run_with_id(Connection& conn, std::string_view sql, std::int64_t id) {
  auto st = ARCA_TRY(conn.cached(sql));
  return st.bind(1, id).run();
}

Result<void> delete_empty_study(Connection& conn, std::int64_t study) {
  auto [series_left, patient] =
      ARCA_TRY(update_returning(conn,
                                "UPDATE studies SET series_count = series_count - 1 WHERE id = ? "
                                "RETURNING series_count, patient",
                                study));
  if (series_left > 0)
    return refresh_modalities(conn, study);
  ARCA_TRY(run_with_id(conn, "DELETE FROM studies WHERE id = ?", study));
  auto [studies_left, id] =
      ARCA_TRY(update_returning(conn,
                                "UPDATE patients SET study_count = study_count - 1 WHERE id = ? "
                                "RETURNING study_count, id",
                                patient));
  if (studies_left == 0)
    ARCA_TRY(run_with_id(conn, "DELETE FROM patients WHERE id = ?", id));
  return ok();
}

}  // namespace

Result<std::optional<InstanceRow>> find_instance_row(Connection& conn, const TenantId& tenant,
                                                     const InstanceUid& uid) {
  auto st = ARCA_TRY(conn.cached(
      "SELECT id, series, sha256, blob FROM instances WHERE tenant = ? AND sop_uid = ?"));
  st.bind(1, tenant.str()).bind(2, uid.str());
  if (!ARCA_TRY(st.step()))
    return std::optional<InstanceRow>();
  return std::optional<InstanceRow>(InstanceRow{st.column_int(0), st.column_int(1),
                                                st.column_text(2), BlobId(st.column_text(3))});
}

Result<void> insert_instance(Connection& conn, const StoredInstance& in) {
  std::int64_t series = ARCA_TRY(ensure_series(conn, in));
  const auto& i = in.attributes.instance;
  auto ins = ARCA_TRY(conn.cached(
      "INSERT INTO instances (tenant, series, sop_uid, sop_class_uid, transfer_syntax, "
      "instance_number, pixel_rows, pixel_columns, bits_allocated, number_of_frames, "
      "content_date, content_time, specific_character_set, patient_ref, blob, size, sha256, "
      "received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, in.tenant.str()).bind(2, series).bind(3, i.sop_instance_uid.str());
  ins.bind(4, i.sop_class_uid.str()).bind(5, i.transfer_syntax.str()).bind(6, i.instance_number);
  ins.bind(7, i.rows).bind(8, i.columns).bind(9, i.bits_allocated).bind(10, i.number_of_frames);
  ins.bind(11, i.content_date).bind(12, i.content_time);
  ins.bind(13, in.attributes.specific_character_set).bind(14, in.patient_ref.str());
  ins.bind(15, in.blob.str()).bind(16, static_cast<std::int64_t>(in.size));
  ins.bind(17, in.sha256).bind(18, in.received_ms);
  ARCA_TRY(ins.run());
  auto [series_count, study] = ARCA_TRY(
      update_returning(conn,
                       "UPDATE series SET instance_count = instance_count + 1 WHERE id = ? "
                       "RETURNING instance_count, study",
                       series));
  (void)series_count;
  auto st =
      ARCA_TRY(conn.cached("UPDATE studies SET instance_count = instance_count + 1 WHERE id = ?"));
  return st.bind(1, study).run();
}

Result<void> delete_instance(Connection& conn, const InstanceRow& row) {
  ARCA_TRY(run_with_id(conn, "DELETE FROM instances WHERE id = ?", row.id));
  auto [left, study] = ARCA_TRY(
      update_returning(conn,
                       "UPDATE series SET instance_count = instance_count - 1 WHERE id = ? "
                       "RETURNING instance_count, study",
                       row.series));
  ARCA_TRY(run_with_id(conn, "UPDATE studies SET instance_count = instance_count - 1 WHERE id = ?",
                       study));
  if (left > 0)
    return ok();
  ARCA_TRY(run_with_id(conn, "DELETE FROM series WHERE id = ?", row.series));
  return delete_empty_study(conn, study);
}

}  // namespace arca::store::sqlite
