// AuditSearch: reading the audit trail (audit.read) — a filtered, paged search for admins and
// auditors, and the per-patient access report ("who saw my data", GDPR Art. 15), which finds
// records by the patient's keyed hash, so the patient id itself is never stored or compared in
// clear. A principal sees its own tenant's records; a system admin sees every tenant's. Every
// search is itself audited (it reveals who did what), and so is every export (the same filters,
// every matching record streamed as JSON lines or DICOM audit messages, recorded before the
// first byte goes out and refused if it cannot be).
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/stream.h"
#include "service/patient_refs.h"
#include "service/request_context.h"
#include "store/audit_log.h"

namespace arca::service {

struct AuditFilter {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = INT64_MAX;
  // "user:42", "token:7", "ae:CT1": matched exactly. A value without ':' is an AE title and
  // also matches that modality's "ae:" and "open:" actors (and the bare AE title that records
  // written before DIMSE actors had a prefix carry).
  std::string actor;
  std::string action;   // audit_action_name(), e.g. "retrieve"
  std::string outcome;  // "success" | "failure"
  std::string study;    // Study Instance UID
  // The patient, by id (and issuer): matched through its PatientRef in the caller's tenant.
  std::optional<std::string> patient_id;
  std::string issuer;
  std::uint64_t after = 0;  // paging: records with seq > after
  // Newest first instead (what a person reading the trail wants): paged with `before`, records
  // with seq < before (0: from the newest); `after` is ignored.
  bool newest_first = false;
  std::uint64_t before = 0;
  std::size_t limit = 100;  // 1..1000
};

struct AuditPage {
  std::vector<store::AuditRecord> records;
  // Set when more may follow: the `after` of the next page, or its `before` when newest first.
  std::optional<std::uint64_t> next_after;
};

struct AuditSearchDeps {
  store::AuditLogReader& log;
  const PatientRefs& patient_refs;
  audit::AuditRecorder& audit;
  const Clock& clock;
  Logger& logger;
  std::string source_id = "arca";  // AuditSourceID of DICOM exports (the AE title)
};

enum class AuditExportFormat { kJsonl, kDicom };

class AuditSearch {
 public:
  explicit AuditSearch(AuditSearchDeps deps) : deps_(deps) {}
  Result<AuditPage> search(const RequestContext& ctx, const AuditFilter& filter);
  // Every record matching the filter (limit and after ignored: the whole range), one per line,
  // read page by page as the stream is consumed. The stream borrows this AuditSearch.
  Result<std::unique_ptr<ByteSource>> export_records(const RequestContext& ctx,
                                                     const AuditFilter& filter,
                                                     AuditExportFormat format);

 private:
  friend class AuditExportSource;
  // One page of matches, not authorized or audited: the callers above do both.
  Result<AuditPage> find_page(const RequestContext& ctx, const AuditFilter& filter);

  AuditSearchDeps deps_;
};

}  // namespace arca::service
