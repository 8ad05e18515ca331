#include "service/document_service.h"

#include <ctime>

#include "domain/uid_generator.h"
#include "service/audit_trail.h"
#include "service/authorize.h"

namespace arca::service {
namespace {

constexpr std::size_t kFirstPrefixBytes = 64 * 1024;

struct DateTime {
  std::string date;  // DA
  std::string time;  // TM
};

// ContentDate and ContentTime in UTC (the object says so with TimezoneOffsetFromUTC only when
// the study did; a clinic's server clock normally runs in UTC).
DateTime utc_now(const Clock& clock) {
  const std::time_t t = std::chrono::system_clock::to_time_t(clock.now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16];
  char time[16];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M%S", &tm);
  return {date, time};
}

std::string default_title(dicom::DocumentType type) {
  return type == dicom::DocumentType::kPdf ? "Clinical document" : "Photo";
}

}  // namespace

Result<StoreOutcome> DocumentService::attach(const RequestContext& ctx,
                                             const DocumentUpload& upload) {
  auto built = build(ctx, upload);
  if (!built.ok()) {
    audit::AuditEvent event = audit_event(ctx, AuditAction::kStore, deps_.clock);
    event.studies.push_back(upload.study);
    event.detail = "document";
    set_outcome(event, &built.error());
    (void)record_or_refuse(deps_.audit, event, deps_.logger);  // refused either way
    return std::move(built).error();
  }
  return deps_.ingest.store_document(ctx, ByteView(built.value()));
}

Result<Bytes> DocumentService::build(const RequestContext& ctx, const DocumentUpload& upload) {
  ARCA_TRY(authorize(ctx, Permission::kDocumentWrite));
  if (upload.content.size() > options_.max_document_bytes)
    return make_error(ErrorCode::kTooLarge, "the document is larger than the limit");
  if (upload.content.empty())
    return make_error(ErrorCode::kInvalidArgument, "the file is empty");
  if (!dicom::matches_magic(upload.type, upload.content))
    return make_error(ErrorCode::kInvalidArgument,
                      "the file's content does not match its declared type");
  dicom::StudyHeader header = ARCA_TRY(study_header(ctx, upload.study));
  DateTime now = utc_now(deps_.clock);
  dicom::DocumentRequest request;
  request.type = upload.type;
  request.content = upload.content;
  request.title = upload.title.empty() ? default_title(upload.type) : upload.title;
  request.series_uid = new_uuid_uid(deps_.random);
  request.instance_uid = new_uuid_uid(deps_.random);
  request.date = now.date;
  request.time = now.time;
  auto document = ARCA_TRY(dicom::build_document(header, request));
  return std::move(document.part10);
}

Result<dicom::StudyHeader> DocumentService::study_header(const RequestContext& ctx,
                                                         const StudyUid& study) {
  auto opened = ARCA_TRY(deps_.retrieve.open_for_document(ctx, study));
  const std::uint64_t size = opened.reader->size();
  // Most headers end well inside the first 64 KiB; read longer prefixes only when needed.
  for (std::size_t length = kFirstPrefixBytes;; length *= 4) {
    const bool complete = length >= size;
    Bytes prefix(complete ? static_cast<std::size_t>(size) : length);
    std::size_t n = ARCA_TRY(opened.reader->read_at(0, prefix));
    prefix.resize(n);
    auto header = ARCA_TRY(dicom::read_study_header(prefix, complete));
    if (header) {
      if (header->study_uid != study.str())
        return make_error(ErrorCode::kCorruptIndex, "stored object is not in its indexed study");
      return std::move(*header);
    }
    if (complete)
      return make_error(ErrorCode::kInvalidDicom, "stored object could not be read");
  }
}

}  // namespace arca::service
