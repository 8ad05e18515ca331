// WADO-URI (PS3.18 §9, the OHIF `imageRendering: 'wadouri'` path): one instance as
// application/dicom, as stored or in Explicit VR Little Endian, with single byte ranges (a range
// of the stored object decrypts only the segments it touches). Rendered content types
// (image/jpeg, the default when contentType is absent) are not produced yet: 406.
#include "dicom/web_views.h"
#include "dicomweb/handlers.h"
#include "dicomweb/ranged_body.h"
#include "dicomweb/request_context.h"

namespace arca::dicomweb {
namespace {

// Transcoding parses the object in memory.
constexpr std::size_t kMaxTranscoded = std::size_t{1} << 30;

}  // namespace

Result<http::Response> wado_uri(DicomWebDeps deps, http::Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  const http::QueryParams& q = request.query();
  if (q.get("requestType") != "WADO")
    return make_error(ErrorCode::kInvalidArgument, "requestType must be WADO");
  InstanceRef ref{std::string(q.get("studyUID").value_or("")),
                  std::string(q.get("seriesUID").value_or("")),
                  std::string(q.get("objectUID").value_or(""))};
  if (ref.study.empty() || ref.series.empty() || ref.instance.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "studyUID, seriesUID and objectUID are required");
  std::string_view content_type = q.get("contentType").value_or("image/jpeg");
  if (content_type.substr(0, content_type.find(';')) != "application/dicom") {
    return http::protocol_error(406, "not_acceptable",
                                "only contentType=application/dicom is served yet");
  }
  std::string wanted(q.get("transferSyntax").value_or(dicom::kExplicitVrLittleEndian));
  if (wanted != "*" && wanted != dicom::kExplicitVrLittleEndian) {
    return http::protocol_error(406, "not_acceptable",
                                "instances are served as stored or in Explicit VR Little Endian");
  }
  // 404 unless the three UIDs belong together; the plan's record is the one opened.
  service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, ref));
  service::OpenedInstance opened = ARCA_TRY(deps.retrieve.open_planned(ctx, plan, 0));
  std::string served = opened.record.attributes.instance.transfer_syntax.str();
  http::RangedBody body;
  if (wanted == "*" || wanted == served) {
    body = stored_object_body(std::move(opened));
  } else {
    service::VerifiedSource source(std::move(opened.reader), opened.record);
    Bytes stored = ARCA_TRY(read_all(source, kMaxTranscoded));
    auto encoded = dicom::to_explicit_little_endian(stored);
    if (!encoded.ok() && encoded.error().code == ErrorCode::kUnsupportedTransferSyntax)
      return http::protocol_error(406, "not_acceptable", encoded.error().message);
    body = memory_body(std::make_shared<const Bytes>(ARCA_TRY(std::move(encoded))));
    served = wanted;
  }
  http::Response r = ARCA_TRY(
      http::ranged_response(request, body, "application/dicom; transfer-syntax=" + served));
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

}  // namespace arca::dicomweb
