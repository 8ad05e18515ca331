// Internal to store/sqlite: the audit_records rows of SqliteAuditLog (audit migration 1).
// Thread-safety: as the Connection passed in (one thread at a time).
#pragma once

#include <vector>

#include "store/audit_log.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

// List fields (patients, studies, ...) are stored joined by this character, which no UID or
// PatientRef contains.
inline constexpr char kAuditListSeparator = '\\';

// The columns of a record, in read_audit_record's order, followed by a WHERE clause.
inline constexpr std::string_view kAuditSelect =
    "SELECT seq, time_ms, actor, tenant, action, outcome, error_code, detail, patients, studies, "
    "series, instances, client_address, user_agent, request_id, prev_hash, hash "
    "FROM audit_records ";

// Every row of a kAuditSelect statement.
Result<std::vector<AuditRecord>> collect_audit_records(Statement& st);

// The last record of the log on `conn` (seq 0 when empty).
Result<AuditHead> audit_head(Connection& conn);

// Inserts the records, which must continue the head on `conn` with consecutive seqs (kConflict
// otherwise: another writer appended first), and the search filter of a segment they fill
// (sqlite_audit_filters.h). Runs inside the caller's transaction.
Result<void> insert_audit_records(Connection& conn, const std::vector<AuditRecord>& records);

}  // namespace arca::store::sqlite
