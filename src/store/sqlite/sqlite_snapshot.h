// Consistent, still-encrypted copies of Arca's SQLite3MC files for backups (docs/formats/
// backup.md): the index, the audit trail and the key vault. The copy is made with SQLite's
// online backup API from a read-only connection that holds one read transaction for the whole
// copy, so it is a snapshot even while another connection or process writes. The destination
// is keyed before its first page is written, so every page reaches the disk encrypted under the
// same key as the source: no plaintext copy exists at any moment, not even a temp file. The copy
// is left in rollback-journal mode (one self-contained file) and fsynced.
// Thread-safety: free functions; each call uses connections of its own.
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/result.h"
#include "core/secret.h"
#include "store/index.h"

namespace arca::store {

enum class SqliteDatabase { kIndex, kAuditTrail, kKeyVault };

struct SnapshotRequest {
  SqliteDatabase kind = SqliteDatabase::kIndex;
  std::filesystem::path from;  // an existing Arca database of that kind
  std::filesystem::path to;    // must not exist yet
};

// Copies `from` to `to` under `key` (the key of `from`). A wrong key fails with
// kPermissionDenied ("wrong key or not an Arca ..."); a full disk with kOutOfSpace. On failure
// nothing is left at `to`. Returns the size of the copy in bytes.
Result<std::uint64_t> snapshot_database(const SnapshotRequest& request, const SecretBytes& key);

// check_database and read_index_instances read a copy made by snapshot_database (one
// self-contained file, opened `immutable`: no lock, no journal); a live WAL database is not
// theirs to read.
//
// Opens `file` read-only under `key` and checks that it is an intact Arca database of `kind`
// (the key opens it, its application id matches, SQLite's integrity_check passes), writing
// nothing to it. Fails with kPermissionDenied for a wrong key or a foreign file, kIntegrity
// for a damaged one.
Result<void> check_database(SqliteDatabase kind, const std::filesystem::path& file,
                            const SecretBytes& key);

// Visits every instance row of an index file opened read-only (as check_database), with the
// fields a backup needs: tenant, patient_ref, SOP Instance UID, Study Instance UID, blob,
// size and sha256 (other attributes are left empty), ordered by blob id (rows sharing a blob
// are adjacent). Writes nothing to the file.
Result<void> read_index_instances(const std::filesystem::path& file, const SecretBytes& key,
                                  const std::function<Result<void>(const StoredInstance&)>& visit);

}  // namespace arca::store
