// recover_unsynced_stores: the startup repair of what ingest's two-step blob commit can leave
// (docs/adr/0023). Ingest commits an instance's index row while its blob's sync is still under
// way and acknowledges the store only when both are done. A crash in between can leave a durable
// row whose blob did not reach the disk whole:
//   - after a process crash the blob's bytes are in the page cache and reach the disk anyway;
//     the pack store finds the record by scanning (it has no .idx entry yet) and reports it
//     unverified;
//   - after a power loss or a kernel crash the record may be torn (its header on the disk, its
//     data not: reported unverified too) or missing altogether.
// Before anything is served, this looks at every instance received at or after (the newest
// pack record's commit time - `window`): the rows a crash can have left are those of the last
// stores before it, and "at or after" also takes in every later one. A row whose blob is
// unverified is read in full (the encrypted store authenticates every byte; a plain one checks
// the row's digest); a row whose blob the store beneath does not have fails at once. A failed row
// is taken back (its store was never acknowledged), its blob removed, and the store recorded as
// failed ("system" actor). Then the pack store confirms the unverified blobs that remain.
// Any other failure (an I/O error, a key the vault cannot give) stops the start rather than
// removing anything. Rows outside the window are left to `arca check`: nothing older is ever
// removed here.
// Thread-safety: run once at startup, before the archive serves anything.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "store/blob_store.h"
#include "store/index.h"

namespace arca::service {

struct UnsyncedRecoveryDeps {
  store::Index& index;
  store::BlobStore& blobs;   // the store ingest writes through (the encrypted decorator)
  store::BlobStore& stored;  // the one beneath it that holds the bytes (the same if unencrypted)
  audit::AuditRecorder& recorder;
  const Clock& clock;
  Logger& logger;
};

struct UnsyncedRecoveryReport {
  std::uint64_t checked = 0;     // rows within the window
  std::uint64_t verified = 0;    // of those, rows whose unverified blob was read in full
  std::uint64_t taken_back = 0;  // rows removed: their blob is missing or damaged
};

inline constexpr std::chrono::milliseconds kUnsyncedWindow = std::chrono::minutes(10);
inline constexpr std::string_view kTakenBackDetail =
    "taken back at startup: a crash came before its object reached the disk (never "
    "acknowledged)";

// Removes an instance's index row in a transaction of its own if the row still names the same
// blob; false (nothing changed) if it no longer does. Ingest uses it too, for a store whose
// blob failed to sync.
Result<bool> take_back_row(store::Index& index, const store::StoredInstance& row);

// `unverified`: the blobs the pack store found without a .idx entry (PackBlobStore::unverified);
// `newest_commit_ms`: the newest record's commit time there (PackBlobStore::newest_commit_ms).
Result<UnsyncedRecoveryReport> recover_unsynced_stores(
    UnsyncedRecoveryDeps deps, const std::vector<store::BlobId>& unverified,
    std::int64_t newest_commit_ms, std::chrono::milliseconds window = kUnsyncedWindow);

}  // namespace arca::service
