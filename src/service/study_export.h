// StudyExport: a study opened for export by RetrieveService::open_export, for a transport that
// pulls the bytes (the zip download streams one instance after the other as the client reads).
// Only open_export makes one, after authorizing and recording transfer_begin, so open() never
// reads what was not authorized and never before the trail says a transfer began.
//
// finish(outcome) records the closing `export` event: the study, every instance opened so far
// and the patients (PatientRef), failed if `outcome` is an error. Destroyed without finish() — the
// client went away mid-download — it records the export as failed ("interrupted").
// Thread-safety: used by one thread; must not outlive the RetrieveService that made it.
#pragma once

#include <memory>
#include <vector>

#include "service/retrieve_service.h"

namespace arca::service {

class StudyExport {
 public:
  ~StudyExport();
  StudyExport(const StudyExport&) = delete;
  StudyExport& operator=(const StudyExport&) = delete;

  // In export order: series number, series UID, instance number, SOP Instance UID.
  const std::vector<store::StoredInstance>& instances() const { return instances_; }
  // The exact bytes of instances()[i] as received; the source fails with kIntegrity at its end
  // if they do not match the digest recorded at ingest.
  Result<std::unique_ptr<ByteSource>> open(std::size_t i);
  // Records the export event once; later calls do nothing. kUnavailable if it cannot be recorded.
  Result<void> finish(const Result<void>& outcome);

 private:
  friend class RetrieveService;
  StudyExport(RetrieveService& service, RequestContext ctx, StudyUid study,
              std::vector<store::StoredInstance> instances);

  RetrieveService& service_;
  RequestContext ctx_;
  StudyUid study_;
  std::vector<store::StoredInstance> instances_;
  std::vector<InstanceUid> touched_;
  std::vector<PatientRef> patients_;
  bool finished_ = false;
};

}  // namespace arca::service
