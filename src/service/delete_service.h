// DeleteService: removing a whole study from the archive (an admin's "Delete", DESIGN §1):
//   authorize study.delete (and the study inside the principal's scope) -> one index transaction
//   removes every instance, series and study row (and the patient row left empty) -> each blob is
//   unlinked and its directory synced, the series' /metadata cache entries removed -> audit
//   `delete` with the study UID, the patient's keyed hash (PatientRef) and the instances removed.
//
// Erasure: every blob carries its own data key, wrapped under the patient key, in its header
// (docs/formats/blob.md); unlinking the blob destroys the only live copy of that wrapped key,
// so what remains of it on the disk's free blocks is ciphertext nobody can open (crypto-erasure
// per object). Copies in backups stay readable until the patient key is destroyed (`arca erase`).
//
// Concurrency with ingest: the index transaction takes the index's single writer, so it is
// serialized with the GroupCommitter's batches. An instance of the study that commits before the
// delete is deleted with it; one that commits after (its sender's store happened later) creates
// the study anew with only itself. Rows go first, blobs after the commit: a reader never finds a
// row without its blob for long, blob ids are never reused, and a crash between the two leaves
// only unreferenced blobs, which the startup sweep removes (archive_maintenance.h).
//
// Audit: recorded through the recorder after the commit. If it cannot be recorded the study is
// gone all the same; the caller gets kUnavailable so the failure is seen, and the log says what
// was deleted. (Ingest holds the chain's writer turn across its transaction and appends its
// records right after the commit, TransactionalAuditRecorder::enlist; the delete could do the
// same so that nothing is recorded between the removal and its record — not done yet.)
// Thread-safety: thread-safe.
#pragma once

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/metadata_cache.h"
#include "service/request_context.h"
#include "store/index.h"

namespace arca::service {

struct DeleteDeps {
  store::BlobStore& blobs;
  store::Index& index;
  audit::AuditRecorder& audit;
  const Clock& clock;
  Logger& logger;
  MetadataCache* metadata_cache = nullptr;  // entries of the deleted series are removed
};

struct DeleteReport {
  std::size_t instances = 0;
  std::size_t series = 0;
  std::size_t blobs_left = 0;  // blobs that could not be removed (the startup sweep retries)
};

class DeleteService {
 public:
  explicit DeleteService(DeleteDeps deps) : deps_(deps) {}

  // Errors: kPermissionDenied, kNotFound (no such study in the principal's tenant and scope:
  // a second delete of the same study), index errors, kUnavailable (deleted, but not audited).
  Result<DeleteReport> delete_study(const RequestContext& ctx, const StudyUid& study);

 private:
  DeleteDeps deps_;
};

}  // namespace arca::service
