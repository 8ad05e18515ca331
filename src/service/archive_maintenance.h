// Archive-wide maintenance: the integrity check behind `arca check` and the startup sweep of
// orphan blobs (DESIGN §1). Both run with the archive held exclusively by one process.
#pragma once

#include <vector>

#include "core/logger.h"
#include "service/request_context.h"
#include "store/index.h"

namespace arca::service {

struct CheckFailure {
  TenantId tenant;
  InstanceUid instance;
  Error error;
};

struct CheckReport {
  std::size_t checked = 0;
  std::vector<CheckFailure> failures;
};

// Reads one stored object in full: its blob must exist, decrypt and authenticate (for an
// encrypted store) and match its index row: size, SHA-256 where the row has one, and the File
// Meta SOP Instance UID. The errors are the store's (kNotFound: no blob, or its key erased) or
// kIntegrity. No authorization: callers check it.
Result<void> verify_stored_object(store::BlobStore& blobs, const store::StoredInstance& row);

// verify_stored_object() for every indexed instance. Requires admin.settings.
// `progress` is called after each instance with the count so far.
Result<CheckReport> check_archive(const RequestContext& ctx, store::IndexReader& index,
                                  store::BlobStore& blobs,
                                  const std::function<void(std::size_t)>& progress);

struct SweepReport {
  std::uint64_t temp_removed = 0;
  std::uint64_t orphans_removed = 0;
};

// Removes what a crash can leave behind: unfinished writes, and committed blobs that no index
// row references (written, then the process died before its index transaction).
Result<SweepReport> sweep_orphans(store::BlobStore& blobs, store::IndexReader& index,
                                  Logger& logger);

}  // namespace arca::service
