#include "service/ingest_service.h"

#include <algorithm>
#include <future>

#include "crypto/hash.h"
#include "dicom/parse.h"
#include "service/audit_trail.h"
#include "service/authorize.h"
#include "service/store_recovery.h"

namespace arca::service {

namespace {

StoreOutcome outcome_for(const store::StoredInstance& row, StoreStatus status) {
  const auto& a = row.attributes;
  return StoreOutcome{status,
                      a.instance.sop_instance_uid,
                      a.series.series_uid,
                      a.study.study_uid,
                      a.instance.sop_class_uid,
                      a.instance.transfer_syntax};
}

Error conflict_error() {
  return make_error(ErrorCode::kConflict,
                    "an instance with this SOP Instance UID and different content is stored");
}

// The store's outcome once the index took (or kept) the row.
Result<StoreOutcome> outcome_of(const store::StoredInstance& row, const store::PutResult& put) {
  switch (put.outcome) {
    case store::PutOutcome::kStored:
      return outcome_for(row, StoreStatus::kStored);
    case store::PutOutcome::kDuplicate:
      return outcome_for(row, StoreStatus::kDuplicate);
    case store::PutOutcome::kReplaced:
      return outcome_for(row, StoreStatus::kReplaced);
    case store::PutOutcome::kConflict:
    case store::PutOutcome::kExists:  // store_validated() decides these before they come here
      break;
  }
  return conflict_error();
}

// What store_document() accepts: Encapsulated PDF and Secondary Capture Image Storage.
bool is_document_class(const SopClassUid& sop_class) {
  return sop_class.str() == "1.2.840.10008.5.1.4.1.1.104.1" ||
         sop_class.str() == "1.2.840.10008.5.1.4.1.1.7";
}

// Commits of one object that may meet a concurrent store of the same SOP Instance UID.
constexpr int kMaxCommitRounds = 3;

}  // namespace

IngestService::IngestService(IngestDeps deps, IngestOptions options)
    : deps_(deps),
      options_(options),
      committer_(deps.index, deps.blobs, deps.logger, options.max_batch, deps.in_transaction) {}

Result<StoreOutcome> IngestService::store(const RequestContext& ctx, ByteSource& part10) {
  auto bytes = read_all(part10, options_.max_object_bytes);
  if (!bytes.ok()) {
    Result<StoreOutcome> failed = std::move(bytes).error();
    (void)audit(ctx, nullptr, failed);  // refused either way
    return failed;
  }
  return store(ctx, bytes.value());
}

Result<StoreOutcome> IngestService::store(const RequestContext& ctx, ByteView part10) {
  Attempt attempt;
  return store_attempt(ctx, part10, attempt);
}

Result<StoreOutcome> IngestService::store(const RequestContext& ctx, ByteView part10,
                                          std::unique_ptr<BlobStream> stream) {
  Attempt attempt;
  attempt.stream = std::move(stream);
  return store_attempt(ctx, part10, attempt);
}

Result<std::unique_ptr<IngestService::BlobStream>> IngestService::begin_stream(
    const RequestContext& ctx, const dicom::PatientIdentity& patient) {
  ARCA_TRY(authorize(ctx, Permission::kStudyWrite));
  if (!stream_welcome())
    return make_error(ErrorCode::kUnavailable, "other stores are under way: no stream");
  auto stream = std::make_unique<BlobStream>();
  stream->open = &streaming_;
  ++streaming_;
  stream->tenant = ctx.principal.tenant;
  stream->patient = deps_.patient_refs.ref(stream->tenant, patient.issuer, patient.id);
  stream->id = store::BlobId(deps_.random.hex(16));
  stream->writer =
      ARCA_TRY(deps_.blobs.create(stream->id, store::BlobScope{stream->tenant, stream->patient}));
  return stream;
}

bool IngestService::stream_welcome() const {
  // The caller's own object counts as arriving when it holds a token (a C-STORE does).
  const int others_arriving = std::max(0, arriving_.load(std::memory_order_relaxed) - 1);
  return under_way_.load(std::memory_order_relaxed) + streaming_.load(std::memory_order_relaxed) +
             others_arriving <
         kStreamUnder;
}

IngestService::BlobStream::~BlobStream() {
  writer.reset();  // an uncommitted record is cut off before the stream stops counting
  if (open != nullptr)
    --*open;
}

Result<void> IngestService::BlobStream::write(ByteView bytes) {
  if (failed)
    return make_error(ErrorCode::kInternal, "blob stream failed before");
  auto written_now = [&]() -> Result<void> {
    ARCA_TRY(writer->write(bytes));
    return writer->start_writeback();
  }();
  if (!written_now.ok()) {
    failed = true;
    return written_now;
  }
  written += bytes.size();
  return ok();
}

Result<StoreOutcome> IngestService::store_document(const RequestContext& ctx, ByteView part10) {
  Attempt attempt;
  attempt.document = true;
  return store_attempt(ctx, part10, attempt);
}

Result<StoreOutcome> IngestService::store_attempt(const RequestContext& ctx, ByteView part10,
                                                  Attempt& attempt) {
  Result<StoreOutcome> outcome = store_validated(ctx, part10, attempt);
  if (attempt.audited)
    return outcome;
  const store::StoredInstance& row = attempt.row;
  auto audited =
      audit(ctx, row.attributes.instance.sop_instance_uid.empty() ? nullptr : &row, outcome);
  if (!audited.ok() && outcome.ok())
    return std::move(audited).error();  // fail closed: never acknowledge an unaudited store
  return outcome;
}

Result<StoreOutcome> IngestService::store_validated(const RequestContext& ctx, ByteView part10,
                                                    Attempt& attempt) {
  store::StoredInstance& row = attempt.row;
  ARCA_TRY(authorize(ctx, attempt.document ? Permission::kDocumentWrite : Permission::kStudyWrite));
  if (part10.size() > options_.max_object_bytes) {
    return make_error(ErrorCode::kTooLarge, "object exceeds the configured maximum size");
  }
  auto parsed = ARCA_TRY(dicom::parse_part10(part10));
  if (attempt.document && !is_document_class(parsed.attributes.instance.sop_class_uid))
    return make_error(ErrorCode::kPermissionDenied, "only clinical documents may be stored here");
  row.tenant = ctx.principal.tenant;
  row.attributes = std::move(parsed.attributes);
  const auto& patient = row.attributes.patient;
  row.patient_ref =
      deps_.patient_refs.ref(row.tenant, patient.issuer_of_patient_id, patient.patient_id);
  row.size = part10.size();
  if (options_.digest == IngestOptions::Digest::kUnlessAuthenticated &&
      !deps_.blobs.authenticates())
    row.sha256 = to_hex(crypto::sha256(part10));
  row.received_ms = to_unix_ms(deps_.clock.now());

  // Under an encrypted store no digest is taken (docs/adr/0021): an identical re-send is told by
  // comparing bytes with what is stored, which only a re-sent SOP Instance UID pays for.
  std::optional<store::BlobId> replaces;
  auto decided = ARCA_TRY(against_stored(row, part10, replaces));
  if (decided)
    return *decided;
  const Counted counted(under_way_);
  auto writer = ARCA_TRY(write_blob(row, part10, attempt));
  // The blob is visible but not yet durable: a worker syncs it while the index commits
  // (docs/adr/0023); nothing is acknowledged before both are done. A replacement waits for the
  // sync first, since its commit gives up the stored blob it replaces.
  std::optional<std::future<Result<void>>> syncing;
  if (replaces) {
    if (auto synced = writer->sync(); !synced.ok()) {
      (void)deps_.blobs.remove(row.blob);
      return std::move(synced).error();
    }
  } else {
    syncing = start_sync(*writer);
  }
  for (int round = 1;; ++round) {
    CommitRequest request{row, options_.conflict_policy, replaces, {}};
    if (deps_.in_transaction != nullptr) {
      request.audit = [this, &ctx, &row](const store::PutResult& put) {
        return audit_event_for(ctx, &row, outcome_of(row, put));
      };
    }
    auto committed = committer_.commit(std::move(request));
    if (syncing) {
      auto synced = syncing->get();
      syncing.reset();
      if (!synced.ok()) {
        if (committed.ok() && committed->put.outcome == store::PutOutcome::kStored)
          unindex(row);
        (void)deps_.blobs.remove(row.blob);
        return std::move(synced).error();  // store_attempt() records the failure
      }
    }
    if (committed.ok() && committed->put.outcome == store::PutOutcome::kExists) {
      // Another store of this SOP Instance UID committed first: compare with it and go again.
      auto again = round < kMaxCommitRounds
                       ? against_stored(row, part10, replaces)
                       : Result<std::optional<StoreOutcome>>(make_error(
                             ErrorCode::kUnavailable,
                             "this SOP Instance UID is being stored concurrently; try again"));
      if (again.ok() && !again.value())
        continue;
      (void)deps_.blobs.remove(row.blob);  // never indexed
      if (!again.ok())
        return std::move(again).error();
      return *again.value();
    }
    if (!committed.ok()) {
      (void)deps_.blobs.remove(row.blob);  // never indexed: not visible; the sweep would get it too
      return std::move(committed).error();
    }
    const store::PutOutcome put = committed->put.outcome;
    if (deps_.stored_listener != nullptr &&
        (put == store::PutOutcome::kStored || put == store::PutOutcome::kReplaced))
      deps_.stored_listener->stored(row);
    attempt.audited = committed->audited;
    return outcome_of(row, committed->put);
  }
}

Result<std::optional<StoreOutcome>> IngestService::against_stored(
    const store::StoredInstance& row, ByteView part10, std::optional<store::BlobId>& replaces) {
  replaces.reset();
  auto existing =
      ARCA_TRY(deps_.index.find_instance(row.tenant, row.attributes.instance.sop_instance_uid));
  if (!existing)
    return std::optional<StoreOutcome>();
  if (ARCA_TRY(same_bytes(*existing, part10)))
    return std::optional<StoreOutcome>(outcome_for(*existing, StoreStatus::kDuplicate));
  if (options_.conflict_policy == store::ConflictPolicy::kKeepFirst)
    return conflict_error();
  replaces = existing->blob;
  return std::optional<StoreOutcome>();
}

Result<bool> IngestService::same_bytes(const store::StoredInstance& stored, ByteView part10) {
  if (stored.size != part10.size())
    return false;
  if (!stored.sha256.empty())
    return stored.sha256 == to_hex(crypto::sha256(part10));
  auto reader = ARCA_TRY(deps_.blobs.open(stored.blob));
  if (reader->size() != part10.size())
    return false;
  Bytes buffer(std::min<std::size_t>(part10.size(), 256 * 1024));
  std::uint64_t pos = 0;
  while (pos < part10.size()) {
    const std::size_t n = ARCA_TRY(reader->read_at(pos, buffer));
    if (n == 0)
      return make_error(ErrorCode::kIntegrity, "stored object is shorter than its index size");
    if (!std::equal(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n),
                    part10.begin() + static_cast<std::ptrdiff_t>(pos)))
      return false;
    pos += n;
  }
  return true;
}

Result<std::unique_ptr<store::BlobWriter>> IngestService::write_blob(store::StoredInstance& row,
                                                                     ByteView part10,
                                                                     Attempt& attempt) {
  if (auto stream = std::move(attempt.stream);
      stream != nullptr && !stream->failed && stream->tenant == row.tenant &&
      stream->patient == row.patient_ref && stream->written == part10.size()) {
    row.blob = stream->id;
    ARCA_TRY(stream->writer->commit_unsynced());
    return std::move(stream->writer);
  }  // any other stream is dropped here: its writer leaves nothing behind
  row.blob = store::BlobId(deps_.random.hex(16));
  auto writer =
      ARCA_TRY(deps_.blobs.create(row.blob, store::BlobScope{row.tenant, row.patient_ref}));
  ARCA_TRY(writer->write(part10));
  ARCA_TRY(writer->commit_unsynced());
  return writer;
}

std::future<Result<void>> IngestService::start_sync(store::BlobWriter& writer) {
  auto task =
      std::make_shared<std::packaged_task<Result<void>()>>([&writer] { return writer.sync(); });
  auto done = task->get_future();
  if (under_way_.load(std::memory_order_relaxed) > kOverlapUpTo ||
      !syncer_.try_run([task] { (*task)(); }))
    (*task)();  // sync first, as a one-step commit would
  return done;
}

void IngestService::unindex(const store::StoredInstance& row) {
  auto removed = take_back_row(deps_.index, row);
  if (removed.ok() && !removed.value())
    removed = make_error(ErrorCode::kInternal, "the row no longer names the unsynced blob");
  if (!removed.ok()) {
    // The row stays and names a blob that may be lost: the next start's check finds out.
    deps_.logger.error("could not take back the index row of instance " +
                       row.attributes.instance.sop_instance_uid.str() +
                       " whose blob failed to sync: " + removed.error().to_string());
  }
}

audit::AuditEvent IngestService::audit_event_for(const RequestContext& ctx,
                                                 const store::StoredInstance* row,
                                                 const Result<StoreOutcome>& outcome) const {
  audit::AuditEvent event = audit_event(ctx, AuditAction::kStore, deps_.clock);
  if (row != nullptr) {
    event.patients.push_back(row->patient_ref);
    event.studies.push_back(row->attributes.study.study_uid);
    event.series.push_back(row->attributes.series.series_uid);
    event.instances.push_back(row->attributes.instance.sop_instance_uid);
  }
  set_outcome(event, outcome.ok() ? nullptr : &outcome.error());
  if (outcome.ok()) {
    event.detail = outcome->status == StoreStatus::kDuplicate  ? "duplicate"
                   : outcome->status == StoreStatus::kReplaced ? "replaced"
                                                               : "stored";
  }
  return event;
}

Result<void> IngestService::audit(const RequestContext& ctx, const store::StoredInstance* row,
                                  const Result<StoreOutcome>& outcome) {
  return record_or_refuse(deps_.audit, audit_event_for(ctx, row, outcome), deps_.logger);
}

}  // namespace arca::service
