// STOW-RS (PS3.18 §10.5): multipart/related application/dicom parts through the ingest service,
// answered with the store response (ReferencedSOPSequence, FailedSOPSequence with one
// FailureReason per failed part). Parts are read one at a time and held in memory up to
// kMaxPartBytes (the ingest service parses objects in memory); a failing part never discards
// the parts stored before or after it.
#include "dicom/parse.h"
#include "dicomweb/dicom_json.h"
#include "dicomweb/handlers.h"
#include "dicomweb/multipart.h"
#include "dicomweb/request_context.h"

namespace arca::dicomweb {
namespace {

using http::Request;
using http::Response;

constexpr std::size_t kMaxPartBytes = std::size_t{1} << 30;
constexpr std::uint32_t kReferencedSopClass = 0x00081150;
constexpr std::uint32_t kReferencedSopInstance = 0x00081155;
constexpr std::uint32_t kRetrieveUrl = 0x00081190;
constexpr std::uint32_t kFailureReason = 0x00081197;
constexpr std::uint32_t kFailedSopSequence = 0x00081198;
constexpr std::uint32_t kReferencedSopSequence = 0x00081199;
constexpr std::uint16_t kStudyUidMismatch = 0xC409;

struct StoreReport {
  std::vector<DicomJsonObject> stored;
  std::vector<DicomJsonObject> failed;
};

void add_failure(StoreReport& report, const dicom::ParsedInstance* parsed, std::uint16_t reason) {
  DicomJsonObject item;
  if (parsed != nullptr) {
    item.add(kReferencedSopClass, "UI", parsed->attributes.instance.sop_class_uid.str());
    item.add(kReferencedSopInstance, "UI", parsed->attributes.instance.sop_instance_uid.str());
  }
  item.add(kFailureReason, "US", std::to_string(reason));
  report.failed.push_back(std::move(item));
}

// Stores one part, recording the outcome in the report.
void store_part(DicomWebDeps deps, const service::RequestContext& ctx,
                const std::optional<std::string_view>& study, const Part& part,
                StoreReport& report) {
  MediaType type = parse_media_type(part.content_type);
  if (!part.content_type.empty() && type.type != "application/dicom") {
    add_failure(report, nullptr, dimse_status(ErrorCode::kUnsupported));
    return;
  }
  if (study) {
    auto parsed = dicom::parse_part10(part.body);
    if (parsed.ok() && parsed->attributes.study.study_uid.str() != *study) {
      add_failure(report, &*parsed, kStudyUidMismatch);
      return;
    }
  }
  auto stored = deps.ingest.store(ctx, ByteView(part.body));
  if (!stored.ok()) {
    auto parsed = dicom::parse_part10(part.body);
    add_failure(report, parsed.ok() ? &*parsed : nullptr, dimse_status(stored.error().code));
    return;
  }
  DicomJsonObject item;
  item.add(kReferencedSopClass, "UI", stored->sop_class.str());
  item.add(kReferencedSopInstance, "UI", stored->instance.str());
  item.add(kRetrieveUrl, "UR",
           "/dicom-web/studies/" + stored->study.str() + "/series/" + stored->series.str() +
               "/instances/" + stored->instance.str());
  report.stored.push_back(std::move(item));
}

// The boundary of a multipart/related body of application/dicom parts; kUnsupported (answered
// 415) for any other media type.
Result<std::string> request_boundary(const Request& request) {
  auto content_type = request.headers().get("Content-Type");
  MediaType m = parse_media_type(content_type.value_or(""));
  if (m.type != "multipart/related")
    return make_error(ErrorCode::kUnsupported, "STOW-RS takes multipart/related");
  auto type = m.param("type");
  if (type && parse_media_type(*type).type != "application/dicom")
    return make_error(ErrorCode::kUnsupported, "only application/dicom parts are supported");
  auto b = m.param("boundary");
  if (!b || b->empty())
    return make_error(ErrorCode::kInvalidArgument, "multipart/related without a boundary");
  return std::string(*b);
}

Response store_response(const StoreReport& report, std::optional<std::string_view> study) {
  DicomJsonObject body;
  if (study)
    body.add(kRetrieveUrl, "UR", "/dicom-web/studies/" + std::string(*study));
  if (!report.stored.empty())
    body.add_sequence(kReferencedSopSequence, report.stored);
  if (!report.failed.empty())
    body.add_sequence(kFailedSopSequence, report.failed);
  int status = report.failed.empty() ? 200 : report.stored.empty() ? 409 : 202;
  Response r = Response::json(status, body.str());
  r.headers().set("Content-Type", kDicomJson);
  return r;
}

}  // namespace

Result<Response> store(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  auto boundary = request_boundary(request);
  if (!boundary.ok() && boundary.error().code == ErrorCode::kUnsupported)
    return http::protocol_error(415, "unsupported_media_type", boundary.error().message);
  if (!boundary.ok())
    return std::move(boundary).error();
  std::optional<std::string_view> study = request.path_param("study");
  MultipartReader reader(request.body(), *boundary, kMaxPartBytes);
  StoreReport report;
  for (;;) {
    auto part = reader.next();
    if (!part.ok()) {
      // A framing error or an oversized part ends the body; what was stored stays stored.
      if (report.stored.empty() && report.failed.empty())
        return std::move(part).error();
      add_failure(report, nullptr, dimse_status(part.error().code));
      break;
    }
    if (!*part)
      break;
    store_part(deps, ctx, study, **part, report);
  }
  if (report.stored.empty() && report.failed.empty())
    return make_error(ErrorCode::kInvalidArgument, "multipart body has no parts");
  return store_response(report, study);
}

}  // namespace arca::dicomweb
