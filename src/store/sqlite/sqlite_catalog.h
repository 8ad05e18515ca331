// Internal to store/sqlite: row maintenance for the write path. Inserting an instance creates
// the series, study and patient rows it needs (first values win for existing rows); deleting
// one removes parents left empty. Both keep the counters and the study's modality list exact.
// Callers run these inside a transaction on the writer connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/index.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

struct InstanceRow {
  std::int64_t id = 0;
  std::int64_t series = 0;
  std::string sha256;
  BlobId blob;
};

Result<std::optional<InstanceRow>> find_instance_row(Connection& conn, const TenantId& tenant,
                                                     const InstanceUid& uid);
// Inserts the instance and any missing parent rows. The SOP Instance UID must be new.
Result<void> insert_instance(Connection& conn, const StoredInstance& instance);
// Deletes the instance row and parents left empty.
Result<void> delete_instance(Connection& conn, const InstanceRow& row);

}  // namespace arca::store::sqlite
