// RetrieveService: reading stored instances back (DESIGN §1): authorize -> open the blob,
// decrypting only what is read -> audit. Every full read is verified (VerifiedSource: GCM for an
// encrypted store, the digest recorded at ingest otherwise), so a damaged object is reported
// (kIntegrity) instead of served.
// Thread-safety: thread-safe; a returned reader or source is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/metadata_cache.h"
#include "service/request_context.h"
#include "store/index.h"

namespace arca::service {

struct RetrieveDeps {
  store::BlobStore& blobs;
  store::IndexReader& index;
  audit::AuditRecorder& audit;
  const Clock& clock;
  Logger& logger;
  MetadataCache* metadata_cache = nullptr;  // optional: /metadata renders every time without it
};

struct OpenedInstance {
  store::StoredInstance record;
  std::unique_ptr<store::BlobReader> reader;
};

// How VerifiedSource checks a blob against its index record.
enum class Verify {
  // The SHA-256 unless the reader is authenticated (an encrypted store): then GCM has checked
  // every byte before it is returned, and the size is compared with the record's before the
  // first byte (docs/adr/0018). For transfers.
  kAuthenticatedOrDigest,
  // Always the SHA-256 as well, where the record has one: `arca check`, which asserts index and
  // blobs agree. Rows stored since docs/adr/0021 have none: size and GCM only.
  kDigest,
};

// Yields a blob's bytes in order and fails with kIntegrity if they do not match the size and
// SHA-256 (if any) the index recorded (at the end), or, for an authenticated reader under
// kAuthenticatedOrDigest, if its size differs from the record's (at the first read) or a
// segment fails authentication (before its bytes are returned).
class VerifiedSource final : public ByteSource {
 public:
  VerifiedSource(std::unique_ptr<store::BlobReader> reader, const store::StoredInstance& record,
                 Verify verify = Verify::kAuthenticatedOrDigest);
  ~VerifiedSource() override;
  Result<std::size_t> read(MutableByteView out) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct ExportFailure {
  InstanceUid instance;
  Error error;
};

struct ExportReport {
  std::size_t exported = 0;
  std::vector<ExportFailure> failures;
};

enum class RetrieveLevel { kPatient, kStudy, kSeries, kInstance };

// What a C-MOVE/C-GET identifier or `arca send` names: the UIDs at `level`, narrowed by the
// UIDs of the levels above (series need their study; instances are unique on their own). At
// kPatient: every study of each Patient ID (exact match, within the principal's tenant).
struct RetrieveScope {
  RetrieveLevel level = RetrieveLevel::kStudy;
  std::vector<PatientId> patients;
  std::vector<StudyUid> studies;
  std::vector<SeriesUid> series;
  std::vector<InstanceUid> instances;
};

// The instances a principal was authorized to read; made only by RetrieveService::plan, so
// deliver() never reads what was not authorized. The records say what to negotiate (SOP class,
// stored transfer syntax).
class RetrievePlan {
 public:
  const std::vector<store::StoredInstance>& instances() const { return instances_; }
  RetrieveLevel level() const { return level_; }

 private:
  friend class RetrieveService;
  RetrievePlan(std::vector<store::StoredInstance> instances, RetrieveLevel level)
      : instances_(std::move(instances)), level_(level) {}
  std::vector<store::StoredInstance> instances_;
  RetrieveLevel level_;
};

// How /metadata renders one instance from its opened object; `kind` names the renderer and its
// version for the metadata cache (docs/formats/metadata-cache.md).
struct MetadataRenderer {
  std::string_view kind;
  std::function<Result<std::string>(OpenedInstance&)> render;
};

struct RetrieveItem {
  const store::StoredInstance& record;
  ByteSource& source;     // the bytes as received; fails with kIntegrity at the end if damaged
  std::size_t remaining;  // instances still to visit after this one
};

class AuditedTransfer;  // service/audited_transfer.h

class RetrieveService {
 public:
  explicit RetrieveService(RetrieveDeps deps) : deps_(deps) {}

  // One instance for random access (frames, byte ranges). Requires image.read. kUnavailable if
  // the access cannot be audited (fail closed).
  Result<OpenedInstance> open_instance(const RequestContext& ctx, const InstanceUid& uid);
  // Planned instance i opened the same way and audited the same way (one kRetrieve record;
  // kUnavailable, nothing opened, if it cannot be recorded), with the index record the plan
  // already holds: a WADO-RS request planned from its path reads the index once, not twice.
  // image.read, the tenant and the study scope are checked against `ctx` again (no index
  // needed); kNotFound if the row is outside them, kInvalidArgument if i is not in the plan.
  Result<OpenedInstance> open_planned(const RequestContext& ctx, const RetrievePlan& plan,
                                      std::size_t i);
  // One stored object of `study`, read by DocumentService to copy the patient and study
  // attributes into a clinical document that joins the study: needs document.write and the
  // study in the caller's tenant and scope, not image.read (nothing of it reaches the caller;
  // the document's store is what is audited). kNotFound for an unknown or out-of-scope study.
  Result<OpenedInstance> open_for_document(const RequestContext& ctx, const StudyUid& study);
  // Bytes [offset, offset+length) of an instance, clipped at its end. Requires image.read.
  Result<Bytes> read_range(const RequestContext& ctx, const InstanceUid& uid, std::uint64_t offset,
                           std::size_t length);
  // Calls visit(record, source) for each instance of the study, in order; `source` yields the
  // exact bytes received and fails with kIntegrity at its end if they were damaged. A failing
  // instance is reported and the others still visited. Requires image.read and study.export.
  // Audited as transfer_begin before the first instance is read (kUnavailable, nothing read,
  // if that cannot be recorded) and as kExport at the end (kUnavailable if that fails).
  Result<ExportReport> export_study(
      const RequestContext& ctx, const StudyUid& study,
      const std::function<Result<void>(const store::StoredInstance&, ByteSource&)>& visit);
  // The same export for a client that pulls the bytes (a streamed download): authorizes like
  // export_study, records transfer_begin (kUnavailable, nothing opened, if that fails), and
  // hands out the instances one at a time; the closing kExport record is AuditedTransfer's.
  Result<std::unique_ptr<AuditedTransfer>> open_export(const RequestContext& ctx,
                                                       const StudyUid& study);
  // C-MOVE, C-GET, `arca send`, step one: requires image.read; the instances `scope` names in
  // the principal's tenant (none is not an error). A refusal is audited as kRetrieve, and so
  // are the UIDs it names that match nothing the principal may read (outcome failure,
  // not_found), so an insider probing UIDs shows in the trail.
  Result<RetrievePlan> plan(const RequestContext& ctx, const RetrieveScope& scope);
  // Step two: calls visit for each planned instance, in order; a failing instance is reported
  // and the others still visited. Audited as transfer_begin before the first instance is read
  // (if that cannot be recorded, nothing is sent and every instance fails with kUnavailable)
  // and as kRetrieve at the end with every study and instance touched, failed if any failed.
  ExportReport deliver(const RequestContext& ctx, const RetrievePlan& plan,
                       const std::function<Result<void>(const RetrieveItem&)>& visit);
  // Step two for a streamed response: records transfer_begin (kUnavailable, nothing opened, if
  // that cannot be recorded) and hands out the planned instances; the closing kRetrieve record
  // is AuditedTransfer's.
  Result<std::unique_ptr<AuditedTransfer>> stream(const RequestContext& ctx, RetrievePlan plan);
  // WADO-RS /metadata: each planned instance rendered, in plan order, from the metadata cache
  // where it is still valid (retrieve_metadata.cpp). Audited once as kRetrieve of the studies
  // and instances (kUnavailable, nothing returned, if that cannot be recorded). Rendering
  // errors are returned; cache errors never are.
  Result<std::vector<std::string>> metadata(const RequestContext& ctx, const RetrievePlan& plan,
                                            const MetadataRenderer& renderer);

 private:
  friend class AuditedTransfer;
  Result<std::vector<store::StoredInstance>> authorize_export(const RequestContext& ctx,
                                                              const StudyUid& study);
  Result<OpenedInstance> open_audited(
      const RequestContext& ctx, const InstanceUid& uid,
      const std::function<Result<store::StoredInstance>()>& find_authorized);
  Result<void> record_unmatched(const RequestContext& ctx, const RetrieveScope& scope,
                                const std::vector<store::StoredInstance>& rows);
  Result<void> record_transfer_begin(const RequestContext& ctx,
                                     const std::vector<store::StoredInstance>& rows);
  Result<void> audit(const RequestContext& ctx, AuditAction action, const StudyUid& study,
                     const std::vector<InstanceUid>& instances, const Result<void>& outcome,
                     const std::vector<PatientRef>& patients = {});

  RetrieveDeps deps_;
};

}  // namespace arca::service
