#include "store/sqlite/sqlite_schema.h"

#include <array>
#include <string>

#include "store/sqlite/sqlite_audit_filters.h"

namespace arca::store::sqlite {
namespace {

// Every row carries its tenant. Counters (study_count, series_count, instance_count) and the
// study's sorted modality list are maintained by the write path so query rows cost no
// aggregation. *_upper columns hold the ASCII upper-cased person names that PN matching
// compares (domain::matches folds case the same way).
constexpr std::string_view kIndexV1 = R"sql(
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  patient_ref TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  issuer_of_patient_id TEXT NOT NULL,
  patient_name TEXT NOT NULL,
  patient_name_upper TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL,
  study_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant, patient_ref)
);
CREATE INDEX patients_by_id ON patients (tenant, patient_id);
CREATE INDEX patients_by_name ON patients (tenant, patient_name_upper);

CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  patient INTEGER NOT NULL REFERENCES patients (id),
  study_uid TEXT NOT NULL,
  study_date TEXT NOT NULL,
  study_time TEXT NOT NULL,
  accession_number TEXT NOT NULL,
  referring_physician_name TEXT NOT NULL,
  referring_physician_name_upper TEXT NOT NULL,
  study_description TEXT NOT NULL,
  study_id TEXT NOT NULL,
  timezone_offset TEXT NOT NULL,
  series_count INTEGER NOT NULL DEFAULT 0,
  instance_count INTEGER NOT NULL DEFAULT 0,
  modalities TEXT NOT NULL DEFAULT '',
  UNIQUE (tenant, study_uid)
);
CREATE INDEX studies_by_date ON studies (tenant, study_date DESC, study_time DESC, study_uid);
CREATE INDEX studies_by_accession ON studies (tenant, accession_number);
CREATE INDEX studies_by_patient ON studies (patient);

CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  study INTEGER NOT NULL REFERENCES studies (id),
  series_uid TEXT NOT NULL,
  modality TEXT NOT NULL,
  series_number INTEGER,
  series_description TEXT NOT NULL,
  series_date TEXT NOT NULL,
  series_time TEXT NOT NULL,
  body_part_examined TEXT NOT NULL,
  pps_start_date TEXT NOT NULL,
  pps_start_time TEXT NOT NULL,
  institution_name TEXT NOT NULL,
  instance_count INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant, series_uid)
);
CREATE INDEX series_by_study ON series (study, series_number, series_uid);
CREATE INDEX series_by_modality ON series (tenant, modality, study);

CREATE TABLE instances (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  series INTEGER NOT NULL REFERENCES series (id),
  sop_uid TEXT NOT NULL,
  sop_class_uid TEXT NOT NULL,
  transfer_syntax TEXT NOT NULL,
  instance_number INTEGER,
  pixel_rows INTEGER,
  pixel_columns INTEGER,
  bits_allocated INTEGER,
  number_of_frames INTEGER,
  content_date TEXT NOT NULL,
  content_time TEXT NOT NULL,
  specific_character_set TEXT NOT NULL,
  patient_ref TEXT NOT NULL,
  blob TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  UNIQUE (tenant, sop_uid)
);
CREATE INDEX instances_by_series ON instances (series, instance_number, sop_uid);
CREATE INDEX instances_by_blob ON instances (blob);

-- Fixed planner statistics for an archive of a few million studies, so plans do not depend
-- on whether ANALYZE ever ran: the tenant prefix selects almost everything, UIDs one row,
-- patient ids and names a few. Without them SQLite walks studies_by_date (to skip sorting)
-- even when a patient id would find the three rows wanted.
ANALYZE sqlite_schema;
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('patients', 'sqlite_autoindex_patients_1', '1000000 1000000 1'),
  ('patients', 'patients_by_id', '1000000 1000000 2'),
  ('patients', 'patients_by_name', '1000000 1000000 5'),
  ('studies', 'sqlite_autoindex_studies_1', '3000000 3000000 1'),
  ('studies', 'studies_by_date', '3000000 3000000 1000 3 1'),
  ('studies', 'studies_by_accession', '3000000 3000000 2'),
  ('studies', 'studies_by_patient', '3000000 3'),
  ('series', 'sqlite_autoindex_series_1', '9000000 9000000 1'),
  ('series', 'series_by_study', '9000000 3 2 1'),
  ('series', 'series_by_modality', '9000000 9000000 1000000 3'),
  ('instances', 'sqlite_autoindex_instances_1', '90000000 90000000 1'),
  ('instances', 'instances_by_series', '90000000 10 1 1'),
  ('instances', 'instances_by_blob', '90000000 1');
ANALYZE sqlite_schema;
)sql";

// The DIMSE peers (store/peer_registry.h). AE titles are unique across the archive because an
// association is matched to its peer by calling AE title; operations are a comma-separated list
// of peer_operation_name()s.
constexpr std::string_view kIndexV2 = R"sql(
CREATE TABLE dimse_peers (
  ae_title TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  operations TEXT NOT NULL,
  tls INTEGER NOT NULL,
  certificate_fingerprint TEXT NOT NULL
);
)sql";

// Accounts (store/account_store.h). Usernames are unique across the archive; sessions, tokens
// and recovery codes are stored as SHA-256 digests only; TOTP secrets wrapped (never in clear).
constexpr std::string_view kIndexV3 = R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  mfa_required INTEGER NOT NULL,
  referring_name_match INTEGER NOT NULL,
  open_storage INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL REFERENCES tenants (id),
  username TEXT NOT NULL UNIQUE,
  roles TEXT NOT NULL,
  system_admin INTEGER NOT NULL,
  service_account INTEGER NOT NULL,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL,
  disabled INTEGER NOT NULL,
  totp_secret BLOB,  -- NULL: not enrolled
  totp_enabled INTEGER NOT NULL,
  totp_last_step INTEGER NOT NULL,
  failed_logins INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL,
  linked_name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  password_changed_ms INTEGER NOT NULL
);
CREATE INDEX users_by_tenant ON users (tenant, username);
CREATE TABLE recovery_codes (
  user INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  digest BLOB NOT NULL,
  used_ms INTEGER,
  PRIMARY KEY (user, digest)
);
CREATE TABLE sessions (
  id_hash BLOB PRIMARY KEY,
  user INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant TEXT NOT NULL,
  second_factor_done INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  client_address TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user INTEGER NOT NULL REFERENCES users (id),
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,
  permissions TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  revoked_ms INTEGER,
  last_used_ms INTEGER NOT NULL
);
CREATE INDEX api_tokens_by_tenant ON api_tokens (tenant, id);
CREATE TABLE study_grants (
  user INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  study_uid TEXT NOT NULL,
  granted_by INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (user, study_uid)
);
)sql";

// The audit trail (store/audit_log.h): index migration 4 until the trail moved to a file of its
// own, and now audit migration 1 (kAuditV1, the same tables). SqliteAuditLog copies what an older
// index holds into audit.db and then drops these tables from the index (sqlite_audit_move.h).
// Multi-valued object columns hold backslash-separated values (UIDs and PatientRefs never contain
// one). The triggers refuse accidental UPDATE/DELETE; deliberate tampering is what the hash chain
// and the signed checkpoints catch.
constexpr std::string_view kIndexV4 = R"sql(
CREATE TABLE audit_records (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  tenant TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  error_code TEXT NOT NULL,
  detail TEXT NOT NULL,
  patients TEXT NOT NULL,
  studies TEXT NOT NULL,
  series TEXT NOT NULL,
  instances TEXT NOT NULL,
  client_address TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  request_id TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_records_by_time ON audit_records (time_ms);
CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  head_hash TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  mac TEXT NOT NULL
);
CREATE TRIGGER audit_records_append_only_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_append_only_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
)sql";

// Sorted study lists (the worklist's `orderby`, sqlite_query.h): one index per sort key ending in
// the study UID, so a page is a walk along one index in either direction whatever the archive's
// size, and ties never reorder between pages. The old accession index is a prefix of the new
// one. A patient's studies are found with their tenant and UID in the index, so a list sorted by
// patient name or ID reads no study row until its page is chosen. Fixed statistics as in V1; the
// sort keys are weakly selective.
constexpr std::string_view kIndexV5 = R"sql(
DROP INDEX studies_by_accession;
CREATE INDEX studies_by_accession ON studies (tenant, accession_number, study_uid);
DROP INDEX studies_by_patient;
CREATE INDEX studies_by_patient ON studies (patient, tenant, study_uid);
CREATE INDEX studies_by_date_asc ON studies (tenant, study_date, study_time, study_uid);
CREATE INDEX studies_by_description ON studies (tenant, study_description, study_uid);
CREATE INDEX studies_by_modalities ON studies (tenant, modalities, study_uid);
DELETE FROM sqlite_stat1 WHERE idx IN ('studies_by_accession', 'studies_by_patient');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('studies', 'studies_by_accession', '3000000 3000000 2 1'),
  ('studies', 'studies_by_patient', '3000000 3 3 1'),
  ('studies', 'studies_by_date_asc', '3000000 3000000 1000 3 1'),
  ('studies', 'studies_by_description', '3000000 3000000 300 1'),
  ('studies', 'studies_by_modalities', '3000000 3000000 100000 1');
ANALYZE sqlite_schema;
)sql";

// Instances by arrival time: startup reconciliation of the audit trail looks up what was
// received since shortly before the trail's newest record (Index::instances_received_since).
constexpr std::string_view kIndexV6 = R"sql(
CREATE INDEX instances_by_received ON instances (received_ms);
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
  ('instances', 'instances_by_received', '90000000 10');
ANALYZE sqlite_schema;
)sql";

constexpr std::array kIndexMigrations{Migration{1, kIndexV1}, Migration{2, kIndexV2},
                                      Migration{3, kIndexV3}, Migration{4, kIndexV4},
                                      Migration{5, kIndexV5}, Migration{6, kIndexV6}};

constexpr std::string_view kAuditV1 = kIndexV4;

// Search filters (sqlite_audit_filters.h): one Bloom filter of the search keys per full segment
// of 1,024 records, so a search by patient, study or exact actor reads only the segments that may
// hold it. Built here for an existing trail, then by the append that fills each segment.
constexpr std::string_view kAuditV2 = R"sql(
CREATE TABLE audit_filters (
  first_seq INTEGER PRIMARY KEY,
  min_time_ms INTEGER NOT NULL,
  max_time_ms INTEGER NOT NULL,
  bits BLOB NOT NULL
);
)sql";

// No index on time: records arrive in time order, and the filters' time spans narrow a time
// range to seqs (sqlite_audit_reads.cpp), so a record's commit touches one B-tree instead of two
// (an audit record cost 37 µs with the index, 26 µs without: build/bench/arca_audit_bench).
constexpr std::string_view kAuditV3 = R"sql(
DROP INDEX IF EXISTS audit_records_by_time;
CREATE INDEX IF NOT EXISTS audit_filters_by_time ON audit_filters (max_time_ms, min_time_ms,
                                                                  first_seq);
)sql";

constexpr std::array kAuditMigrations{
    Migration{1, kAuditV1}, Migration{2, kAuditV2, &build_full_segments}, Migration{3, kAuditV3}};

constexpr std::string_view kVaultV1 = R"sql(
CREATE TABLE vault_keys (
  id TEXT PRIMARY KEY,
  wrapped BLOB NOT NULL
);
)sql";

constexpr std::array kVaultMigrations{Migration{1, kVaultV1}};

Result<void> apply(Connection& conn, const Migration& m, std::uint32_t application_id) {
  return in_transaction(conn, [&]() -> Result<void> {
    // Re-read inside the write transaction: another process may have just applied it.
    if (ARCA_TRY(conn.query_int("PRAGMA user_version")) >= m.version)
      return ok();
    ARCA_TRY(conn.exec(m.sql));
    if (m.then != nullptr)
      ARCA_TRY(m.then(conn));
    ARCA_TRY(conn.exec("PRAGMA application_id=" + std::to_string(application_id) +
                       "; PRAGMA user_version=" + std::to_string(m.version)));
    return ok();
  });
}

}  // namespace

std::span<const Migration> index_migrations() {
  return kIndexMigrations;
}

std::span<const Migration> vault_migrations() {
  return kVaultMigrations;
}

std::span<const Migration> audit_migrations() {
  return kAuditMigrations;
}

Result<std::unique_ptr<Connection>> open_index_side_connection(const std::filesystem::path& file,
                                                               const SecretBytes& key,
                                                               int cache_kib) {
  ConnectionOptions o;
  o.file = file;
  o.application_id = kIndexApplicationId;
  o.what = "index";
  o.cache_kib = cache_kib;
  auto conn = ARCA_TRY(Connection::open(o, key));
  ARCA_TRY(migrate(*conn, index_migrations(), kIndexApplicationId));
  return conn;
}

Result<int> migrate(Connection& conn, std::span<const Migration> migrations,
                    std::uint32_t application_id) {
  auto version = ARCA_TRY(conn.query_int("PRAGMA user_version"));
  int latest = migrations.empty() ? 0 : migrations.back().version;
  if (version > latest)
    return make_error(ErrorCode::kUnsupported, "SQLite file schema is newer than this build");
  for (const Migration& m : migrations) {
    if (m.version > version)
      ARCA_TRY(apply(conn, m, application_id));
  }
  return static_cast<int>(ARCA_TRY(conn.query_int("PRAGMA user_version")));
}

}  // namespace arca::store::sqlite
