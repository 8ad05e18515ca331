// Index: the searchable catalogue of stored instances (patient/study/series/instance rows)
// and where each one's bytes live. Implementations: SqliteIndex (embedded, encrypted pages),
// PostgresIndex (scale-out). Every row carries its tenant and every read is scoped by tenant.
//
// Writes go through a transaction so one ingest batch (group commit) is one durable commit:
//   auto tx = ARCA_TRY(index.begin());
//   auto r = ARCA_TRY(tx->put_instance(instance, ConflictPolicy::kKeepFirst));
//   ARCA_TRY(tx->commit());
// The audit trail is not in the index (store/audit_log.h, audit.db): the group committer appends
// a batch's store records there after this commit (docs/adr/0014).
// A transaction destroyed without commit() rolls back. Implementations retry a transaction
// only as a whole unit.
// Thread-safety: an Index is thread-safe; a transaction is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/instance_attributes.h"
#include "domain/query.h"
#include "store/audit_log.h"
#include "store/blob_store.h"

namespace arca::store {

struct StoredInstance {
  TenantId tenant;
  PatientRef patient_ref;  // opaque patient reference (key scope, audit)
  IndexAttributes attributes;
  BlobId blob;
  std::uint64_t size = 0;  // bytes of the Part-10 object as received
  // Lower-case hex SHA-256 of those bytes, or empty: ingest no longer hashes (docs/adr/0021);
  // rows of older archives keep theirs, and it is still checked where present.
  std::string sha256;
  std::int64_t received_ms = 0;  // Unix epoch milliseconds
};

enum class ConflictPolicy {
  kKeepFirst,  // keep what is stored, report a conflict
  kReplace,    // store the new object, report the replaced blob so it can be removed
};

// kExists: an instance with this SOP Instance UID is stored and the digests cannot tell whether
// its bytes equal the new ones (one of them is empty); nothing changed. The caller compares the
// bytes itself and puts again, naming the blob it found different in `replaces`.
enum class PutOutcome { kStored, kDuplicate, kConflict, kReplaced, kExists };

struct PutResult {
  PutOutcome outcome = PutOutcome::kStored;
  // kReplaced only: the blob of the replaced instance, now unreferenced. (For kDuplicate and
  // kConflict nothing changed in the index: the caller's new blob is the unreferenced one.)
  std::optional<BlobId> unreferenced_blob;
};

class IndexTransaction {
 public:
  virtual ~IndexTransaction() = default;
  // Same SOP Instance UID in the tenant with the same (non-empty) sha256: kDuplicate, nothing
  // changes. Different sha256: kConflict (kKeepFirst) or kReplaced (kReplace). Either digest
  // empty: kExists, unless `replaces` names the stored row's blob (the caller compared the bytes
  // and found them different): then kConflict or kReplaced as with different digests.
  virtual Result<PutResult> put_instance(const StoredInstance& instance, ConflictPolicy policy,
                                         const std::optional<BlobId>& replaces) = 0;
  Result<PutResult> put_instance(const StoredInstance& instance, ConflictPolicy policy) {
    return put_instance(instance, policy, std::nullopt);
  }
  // Removes an instance (and series/study/patient rows left empty); returns its blob.
  virtual Result<std::optional<BlobId>> remove_instance(const TenantId& tenant,
                                                        const InstanceUid& uid) = 0;
  // Removes every instance of a study (and the rows left empty) as part of this transaction;
  // returns the removed instances (their blobs are now unreferenced), none for an unknown study.
  // An instance another transaction commits later under the same study UID creates it anew.
  virtual Result<std::vector<StoredInstance>> remove_study(const TenantId& tenant,
                                                           const StudyUid& study) = 0;
  virtual Result<void> commit() = 0;
};

class IndexReader {
 public:
  virtual ~IndexReader() = default;
  virtual Result<std::optional<StoredInstance>> find_instance(const TenantId& tenant,
                                                              const InstanceUid& uid) = 0;
  // Every instance of a study, ordered by series number, instance number, then UID.
  virtual Result<std::vector<StoredInstance>> study_instances(const TenantId& tenant,
                                                              const StudyUid& study) = 0;
  virtual Result<std::vector<QueryRow>> query(const TenantId& tenant, const Query& query) = 0;
  // How many rows query() would return without limit and offset.
  virtual Result<std::uint64_t> count(const TenantId& tenant, const Query& query) = 0;
  // Visits every instance of every tenant; for `arca check` and exports.
  virtual Result<void> for_each_instance(
      const std::function<Result<void>(const StoredInstance&)>& visit) = 0;
  virtual Result<bool> references_blob(const BlobId& blob) = 0;
  // Every instance of every tenant received at or after `from_ms` (Unix epoch milliseconds),
  // oldest first; for the startup reconciliation of the audit trail (service/audit_reconcile.h).
  virtual Result<std::vector<StoredInstance>> instances_received_since(std::int64_t from_ms) = 0;
  // The same rows, in the same order, one at a time (memory stays flat); the visitor may use
  // the index, writes included (they go through another connection). Stops at the visitor's
  // first error.
  virtual Result<void> for_each_instance_received_since(
      std::int64_t from_ms, const std::function<Result<void>(const StoredInstance&)>& visit) {
    for (const auto& row : ARCA_TRY(instances_received_since(from_ms)))
      ARCA_TRY(visit(row));
    return ok();
  }
};

class Index : public IndexReader {
 public:
  virtual Result<std::unique_ptr<IndexTransaction>> begin() = 0;
};

}  // namespace arca::store
