// Internal to store/sqlite: moving the audit trail of an older archive out of its index. Until
// the trail had a file of its own (audit.db, docs/adr/0014), its tables were index migration 4
// (audit_records, audit_checkpoints in index.db). move_index_audit() copies what the index holds
// into the audit file in one transaction, checks the copy (record and checkpoint counts, the
// first and last record's seq and hash) before committing it, and only then drops the tables
// from the index, so a crash at any point loses nothing: the next open finds the rows still in
// the index and either copies them (audit file still empty) or recognises them as already
// copied (same counts and hashes) and finishes the drop. An audit file that already holds
// different records is refused (kIntegrity) and nothing is touched.
// Thread-safety: as the Connections passed in (one thread at a time).
#pragma once

#include <cstdint>

#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

struct AuditMove {
  std::uint64_t records = 0;      // records copied (0: nothing to move, or already copied)
  std::uint64_t checkpoints = 0;  // checkpoints copied
  bool dropped = false;           // the index had audit tables and no longer has
};

Result<AuditMove> move_index_audit(Connection& index, Connection& audit);

// Copies every audit record and checkpoint of `from` into `to` as they are (no chain check), in
// the caller's transaction on `to`. Shared with the test tool that recreates old archives.
Result<AuditMove> copy_audit_tables(Connection& from, Connection& to);

}  // namespace arca::store::sqlite
