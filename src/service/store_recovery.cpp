#include "service/store_recovery.h"

#include <unordered_set>

#include "service/archive_maintenance.h"
#include "service/audit_trail.h"

namespace arca::service {
namespace {

// Only a blob that is not there or does not authenticate says the store never finished; any
// other error (a key the vault cannot give, an I/O error) stops the start instead.
bool lost(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kIntegrity;
}

}  // namespace

Result<bool> take_back_row(store::Index& index, const store::StoredInstance& row) {
  auto tx = ARCA_TRY(index.begin());
  auto removed =
      ARCA_TRY(tx->remove_instance(row.tenant, row.attributes.instance.sop_instance_uid));
  if (removed != row.blob)
    return false;  // the transaction rolls back
  ARCA_TRY(tx->commit());
  return true;
}

Result<UnsyncedRecoveryReport> recover_unsynced_stores(UnsyncedRecoveryDeps deps,
                                                       const std::vector<store::BlobId>& unverified,
                                                       std::int64_t newest_commit_ms,
                                                       std::chrono::milliseconds window) {
  UnsyncedRecoveryReport report;
  std::unordered_set<std::string> suspect;
  for (const auto& id : unverified)
    suspect.insert(id.str());
  ARCA_TRY(deps.index.for_each_instance_received_since(
      newest_commit_ms - window.count(), [&](const store::StoredInstance& row) -> Result<void> {
        ++report.checked;
        Result<void> checked = ok();
        if (suspect.contains(row.blob.str())) {
          checked = verify_stored_object(deps.blobs, row);
          ++report.verified;
        } else if (auto opened = deps.stored.open(row.blob); !opened.ok()) {
          checked = std::move(opened).error();
        }
        if (checked.ok())
          return ok();
        if (!lost(checked.error()))
          return std::move(checked).error();
        if (!ARCA_TRY(take_back_row(deps.index, row)))
          return ok();
        (void)deps.blobs.remove(row.blob);
        ARCA_TRY(deps.recorder.record(
            system_store_event(row, deps.clock, kTakenBackDetail, &checked.error())));
        deps.logger.warn("startup: took back instance " +
                         row.attributes.instance.sop_instance_uid.str() + " (blob " +
                         row.blob.str() + "): " + checked.error().to_string());
        ++report.taken_back;
        return ok();
      }));
  return report;
}

}  // namespace arca::service
