// IngestService: the write protocol of DESIGN §1, shared by C-STORE, STOW-RS, upload and
// `arca import`:
//   authorize study.write -> parse and validate (DCMTK) -> same UID already stored? (same bytes:
//   no-op; different bytes: conflict policy) -> write the blob under a fresh random id
//   (encryption is the BlobStore's decorator), visible but not yet durable -> its sync on a
//   worker, beside one index transaction shared with concurrent writers (GroupCommitter) ->
//   audit -> acknowledge once both are done (docs/adr/0023). A failed sync takes the row back.
//   With `in_transaction` set, the audit record of a store that reaches the index is appended
//   by the committer right after that transaction, under the chain's writer turn taken before
//   it (nothing can be recorded in between; a crash in between is repaired at startup,
//   audit_reconcile.h); every other outcome (refused, invalid, duplicate found before writing,
//   a failed sync, or that append failing) is recorded through `audit`.
// After a crash the next start shows either nothing or a complete instance for every store:
// recover_unsynced_stores() takes back rows whose blob did not reach the disk whole, and
// sweep_orphans() removes blobs written but never indexed.
// Thread-safety: store() is thread-safe and meant to be called from many threads at once.
#pragma once

#include <atomic>
#include <future>
#include <memory>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/random.h"
#include "core/worker_pool.h"
#include "dicom/parse.h"
#include "service/group_committer.h"
#include "service/patient_refs.h"
#include "service/request_context.h"
#include "service/stored_listener.h"
#include "store/index.h"

namespace arca::service {

struct IngestDeps {
  store::BlobStore& blobs;
  store::Index& index;
  const PatientRefs& patient_refs;
  audit::AuditRecorder& audit;
  Random& random;
  const Clock& clock;
  Logger& logger;
  StoredListener* stored_listener = nullptr;  // optional: told of each stored instance
  // The chain behind `audit`, enlisted around the group commit; null: `audit` records every store
  // (and nothing is recorded when audit is switched off for a benchmark).
  audit::TransactionalAuditRecorder* in_transaction = nullptr;
};

struct IngestOptions {
  store::ConflictPolicy conflict_policy = store::ConflictPolicy::kKeepFirst;
  std::size_t max_object_bytes = std::size_t{2} << 30;  // objects are parsed in memory
  std::size_t max_batch = 128;
  // Whether the index gets a SHA-256 of each object (docs/adr/0021): only under a blob store that
  // does not authenticate what it returns (an encrypted one does, by GCM), unless kNever: the
  // benchmark-only plaintext configuration, so that it differs from the real one by encryption
  // alone.
  enum class Digest { kUnlessAuthenticated, kNever };
  Digest digest = Digest::kUnlessAuthenticated;
};

enum class StoreStatus { kStored, kDuplicate, kReplaced };

struct StoreOutcome {
  StoreStatus status = StoreStatus::kStored;
  InstanceUid instance;
  SeriesUid series;
  StudyUid study;
  SopClassUid sop_class;
  TransferSyntaxUid transfer_syntax;
};

class IngestService {
 public:
  // A store syncs its blob on a worker, side by side with its index commit, only while at most
  // this many stores are under way: overlapping buys a lone store its latency, but with many
  // of them the CPU has their work to do meanwhile and the hand-over only costs CPU. Beyond
  // that a store syncs first. (Measured in docs/adr/0023: 2 made four associations slower,
  // 4 kept `arca import` with 8 jobs as fast as syncing first or faster.)
  static constexpr int kOverlapUpTo = 4;
  static constexpr std::size_t kSyncWorkers = kOverlapUpTo;
  // begin_stream() refuses while this many other stores are under way or streaming: writing as
  // bytes arrive costs CPU (smaller writes, more of them), which a lone store has to spare and
  // a busy archive has not.
  static constexpr int kStreamUnder = 1;

  IngestService(IngestDeps deps, IngestOptions options);

  // Stores one Part-10 object. Errors: kPermissionDenied, kInvalidDicom and
  // kUnsupportedTransferSyntax (with the reason), kConflict (same SOP Instance UID, different
  // bytes, policy keep-first), kOutOfSpace, kIo, kTooLarge, kUnavailable (the store could not be
  // audited, so it is not acknowledged; a resend is a duplicate and is audited then).
  Result<StoreOutcome> store(const RequestContext& ctx, ByteView part10);
  Result<StoreOutcome> store(const RequestContext& ctx, ByteSource& part10);
  // A C-STORE's object arrives over a while. Once its first bytes name the patient
  // (dicom::patient_of_prefix), begin_stream() authorizes the store and opens the blob that
  // the bytes are encrypted and written into as they arrive (BlobStream::write), so little is
  // left to do when the last one comes. store(ctx, part10, stream) then stores the whole object
  // as store(ctx, part10) would, using the stream's blob only if the full parse names the same
  // patient and every byte of part10, in order, went into it (the caller's promise; the size
  // is checked); otherwise the stream's blob is dropped and the object written anew.
  class BlobStream {
   public:
    BlobStream() = default;
    ~BlobStream();
    BlobStream(const BlobStream&) = delete;
    BlobStream& operator=(const BlobStream&) = delete;
    // Encrypts and writes more of the object; after an error the stream is unusable (store()
    // then writes the object anew).
    Result<void> write(ByteView bytes);
    // The blob the stream writes.
    const store::BlobId& blob() const { return id; }

   private:
    friend class IngestService;
    TenantId tenant;
    PatientRef patient;
    store::BlobId id;
    std::unique_ptr<store::BlobWriter> writer;
    std::uint64_t written = 0;
    bool failed = false;
    std::atomic<int>* open = nullptr;  // the service's count of open streams
  };
  // Adds one to a count for as long as it lives.
  class Counted {
   public:
    explicit Counted(std::atomic<int>& count) : count_(&count) { ++*count_; }
    ~Counted() { --*count_; }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;

   private:
    std::atomic<int>* count_;
  };
  // A store whose object has begun to arrive (a C-STORE, before begin_stream can be called)
  // counts as arriving while the returned token lives; begin_stream() refuses while another
  // one arrives. IngestArrival (ingest_arrival.h) holds one.
  [[nodiscard]] Counted arriving() { return Counted(arriving_); }
  // Whether begin_stream() would take a stream now (a hint: it checks again), for a caller to
  // skip finding the patient when it would not.
  bool stream_welcome() const;
  // Errors: kPermissionDenied; kUnavailable while other stores arrive, stream or are under way
  // (kStreamUnder); the blob store's.
  Result<std::unique_ptr<BlobStream>> begin_stream(const RequestContext& ctx,
                                                   const dicom::PatientIdentity& patient);
  Result<StoreOutcome> store(const RequestContext& ctx, ByteView part10,
                             std::unique_ptr<BlobStream> stream);
  // A clinical document the server built (DocumentService): needs document.write instead of
  // study.write (the front desk may attach documents, DESIGN §5), and the object must be an
  // Encapsulated PDF or a Secondary Capture image; otherwise the same protocol as store().
  Result<StoreOutcome> store_document(const RequestContext& ctx, ByteView part10);

  std::uint64_t index_transactions() const { return committer_.transactions(); }

 private:
  // What store_validated() learned besides its outcome.
  struct Attempt {
    store::StoredInstance row;
    bool audited = false;   // recorded by the group committer already
    bool document = false;  // store_document(): document.write and document SOP classes only
    std::unique_ptr<BlobStream> stream;  // the object's bytes already written, if usable
  };
  Result<StoreOutcome> store_attempt(const RequestContext& ctx, ByteView part10, Attempt& attempt);
  Result<StoreOutcome> store_validated(const RequestContext& ctx, ByteView part10,
                                       Attempt& attempt);
  // Writes the object under a fresh id (set in row.blob) and commits it unsynced; takes the
  // attempt's stream instead when it holds exactly this object for this patient.
  Result<std::unique_ptr<store::BlobWriter>> write_blob(store::StoredInstance& row, ByteView part10,
                                                        Attempt& attempt);
  // writer.sync() on a worker, or right here when other stores are under way or no worker is
  // idle.
  std::future<Result<void>> start_sync(store::BlobWriter& writer);
  // Takes back the index row of a store whose blob failed to sync (it was never acknowledged).
  void unindex(const store::StoredInstance& row);
  // What the instance already stored under this SOP Instance UID decides: a duplicate (same
  // bytes), a conflict error (kKeepFirst), or nothing yet (none stored, or kReplace: then
  // `replaces` names the stored blob found different).
  Result<std::optional<StoreOutcome>> against_stored(const store::StoredInstance& row,
                                                     ByteView part10,
                                                     std::optional<store::BlobId>& replaces);
  // Whether the stored instance's bytes equal `part10`: by digest where the row has one, else
  // by reading its blob (authenticated by GCM in an encrypted store).
  Result<bool> same_bytes(const store::StoredInstance& stored, ByteView part10);
  audit::AuditEvent audit_event_for(const RequestContext& ctx, const store::StoredInstance* row,
                                    const Result<StoreOutcome>& outcome) const;
  Result<void> audit(const RequestContext& ctx, const store::StoredInstance* row,
                     const Result<StoreOutcome>& outcome);

  IngestDeps deps_;
  IngestOptions options_;
  GroupCommitter committer_;
  WorkerPool syncer_{kSyncWorkers};
  std::atomic<int> under_way_{0};  // stores between their write and their acknowledgement
  std::atomic<int> streaming_{0};  // open BlobStreams
  std::atomic<int> arriving_{0};   // arriving() tokens alive
};

}  // namespace arca::service
