// DocumentService: a clinical document (PDF, JPEG or PNG photo) attached to a stored study as
// a DICOM object of its own (DESIGN §1, "upload"):
//   authorize study.write -> check the declared type against the content's first bytes ->
//   read the patient and study attributes from an instance of the study through
//   RetrieveService (image.read, the caller's tenant and study scope; audited as a retrieve) ->
//   build an Encapsulated PDF or Secondary Capture object in a new series with new 2.25 UIDs
//   (dicom/document_to_dicom.h) -> store it through IngestService (validated, encrypted,
//   indexed, audited as a store, exactly like a STOW-RS part).
// A study that does not exist and one outside the caller's scope both answer kNotFound.
// Refusals before the ingest step are audited as failed stores.
// Thread-safety: attach() is thread-safe.
#pragma once

#include <string>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "core/random.h"
#include "dicom/document_to_dicom.h"
#include "service/ingest_service.h"
#include "service/retrieve_service.h"

namespace arca::service {

struct DocumentDeps {
  RetrieveService& retrieve;
  IngestService& ingest;
  audit::AuditRecorder& audit;
  Random& random;
  const Clock& clock;
  Logger& logger;
};

struct DocumentOptions {
  std::size_t max_document_bytes = std::size_t{64} << 20;
};

struct DocumentUpload {
  StudyUid study;
  dicom::DocumentType type = dicom::DocumentType::kPdf;
  ByteView content;
  std::string title;  // UTF-8; empty: "Clinical document" or "Photo"
};

class DocumentService {
 public:
  DocumentService(DocumentDeps deps, DocumentOptions options) : deps_(deps), options_(options) {}

  // Errors: kPermissionDenied, kNotFound (no such study in scope), kInvalidArgument (content
  // does not match its type, damaged photo), kTooLarge, and those of IngestService::store.
  Result<StoreOutcome> attach(const RequestContext& ctx, const DocumentUpload& upload);

  std::size_t max_document_bytes() const { return options_.max_document_bytes; }

 private:
  Result<dicom::StudyHeader> study_header(const RequestContext& ctx, const StudyUid& study);
  Result<Bytes> build(const RequestContext& ctx, const DocumentUpload& upload);

  DocumentDeps deps_;
  DocumentOptions options_;
};

}  // namespace arca::service
