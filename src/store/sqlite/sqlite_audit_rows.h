// Internal to store/sqlite: the audit_records rows of SqliteAuditLog (audit migration 1).
// Thread-safety: as the Connection passed in (one thread at a time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/audit_log.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

// List fields (patients, studies, ...) are stored joined by this character, which no UID or
// PatientRef contains.
inline constexpr char kAuditListSeparator = '\\';

// The last record of the log on `conn` (seq 0 when empty).
Result<AuditHead> audit_head(Connection& conn);

// Inserts the records, which must continue the head on `conn` with consecutive seqs (kConflict
// otherwise: another writer appended first), and their search keys (audit migration 2). Runs
// inside the caller's transaction.
Result<void> insert_audit_records(Connection& conn, const std::vector<AuditRecord>& records);

// A search key as stored in audit_keys: "p:" PatientRef, "s:" Study Instance UID, "a:" actor.
std::string audit_key_text(const AuditKey& key);

// Adds the keys of every record that lacks them (an existing trail, a trail copied from an older
// index). Runs inside the caller's transaction.
Result<void> backfill_audit_keys(Connection& conn);

// The first record whose keys are not all in audit_keys.
Result<std::optional<std::uint64_t>> first_unkeyed_audit_record(Connection& conn);

}  // namespace arca::store::sqlite
