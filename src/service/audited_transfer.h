// AuditedTransfer: the instances a principal was authorized to read, pulled one at a time by a
// transport that streams them, between two audit records. Only RetrieveService makes one
// (stream() for WADO-RS series and study, open_export() for the zip download), after
// authorizing and recording transfer_begin, so open() never reads what was not authorized and
// never before the trail says a transfer began. One closing record follows, written once: by
// finish(outcome), or when the transfer is destroyed without it (sent, or the client went away).
//
// The closing action is the parameter, and each keeps its own record:
//   kRetrieve (stream): the studies, instances and patients opened; failed (integrity) if any
//     open failed, with "N failed, M not sent of T" in the detail whenever not everything went
//     out. Destroyed without finish() is the ordinary end: the same record. This is how
//     C-MOVE/C-GET are audited too (RetrieveService::deliver).
//   kExport (open_export): the study, every instance asked for and their patients; failed if
//     finish()'s outcome is an error, and failed ("interrupted") when destroyed without finish().
// Thread-safety: used by one thread at a time; must not outlive the RetrieveService that made it.
#pragma once

#include <memory>
#include <vector>

#include "service/retrieve_service.h"

namespace arca::service {

class AuditedTransfer {
 public:
  ~AuditedTransfer();
  AuditedTransfer(const AuditedTransfer&) = delete;
  AuditedTransfer& operator=(const AuditedTransfer&) = delete;

  // In transfer order (an export: series number, series UID, instance number, SOP Instance UID).
  const std::vector<store::StoredInstance>& instances() const { return rows_; }
  // Instance i for random access (transcoding, metadata), with no audit record of its own.
  Result<OpenedInstance> open(std::size_t i);
  // The exact bytes of instance i as received; the source fails with kIntegrity at its end if
  // they do not match the digest recorded at ingest.
  Result<std::unique_ptr<ByteSource>> open_verified(std::size_t i);
  // Writes the closing record once; later calls do nothing. kUnavailable if it cannot be
  // recorded.
  Result<void> finish(const Result<void>& outcome);

 private:
  friend class RetrieveService;
  AuditedTransfer(RetrieveService& service, RequestContext ctx, AuditAction closing,
                  std::vector<store::StoredInstance> rows, StudyUid study = {});
  audit::AuditEvent closing_event(const Result<void>& outcome) const;

  RetrieveService& service_;
  RequestContext ctx_;
  AuditAction closing_;
  std::vector<store::StoredInstance> rows_;
  StudyUid study_;                   // kExport: the study named even if nothing was opened
  std::vector<std::size_t> asked_;   // every open(i), in order
  std::vector<std::size_t> opened_;  // those whose blob opened
  std::size_t failures_ = 0;         // those whose blob did not
  bool finished_ = false;
};

}  // namespace arca::service
