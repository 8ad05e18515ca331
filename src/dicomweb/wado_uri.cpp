// WADO-URI (PS3.18 §9, the OHIF `imageRendering: 'wadouri'` path): one instance as
// application/dicom, as stored or in Explicit VR Little Endian, with single byte ranges (a range
// of the stored object decrypts only the segments it touches), or one frame rendered as
// image/jpeg (the default when contentType is absent) with the rows, columns, windowCenter,
// windowWidth, frameNumber and imageQuality parameters (§9.1.2.1, rendered like WADO-RS
// /rendered). Other rendered content types are 406.
#include <charconv>

#include "dicom/render.h"
#include "dicom/web_views.h"
#include "dicomweb/handlers.h"
#include "dicomweb/ranged_body.h"
#include "dicomweb/request_context.h"

namespace arca::dicomweb {
namespace {

// Transcoding and rendering parse the object in memory.
constexpr std::size_t kMaxTranscoded = std::size_t{1} << 30;

template <typename T>
Result<std::optional<T>> number(const http::QueryParams& q, std::string_view name) {
  auto text = q.get(name);
  if (!text)
    return std::optional<T>();
  T v{};
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size())
    return make_error(ErrorCode::kInvalidArgument, std::string(name) + " is not a number");
  return std::optional<T>(v);
}

Result<dicom::RenderOptions> render_options(const http::QueryParams& q) {
  dicom::RenderOptions o;
  o.frame = ARCA_TRY(number<std::uint32_t>(q, "frameNumber")).value_or(1);
  o.max_width = ARCA_TRY(number<std::uint32_t>(q, "columns")).value_or(0);
  o.max_height = ARCA_TRY(number<std::uint32_t>(q, "rows")).value_or(0);
  o.quality = ARCA_TRY(number<int>(q, "imageQuality")).value_or(o.quality);
  o.window_center = ARCA_TRY(number<double>(q, "windowCenter"));
  o.window_width = ARCA_TRY(number<double>(q, "windowWidth"));
  if (o.window_center.has_value() != o.window_width.has_value())
    return make_error(ErrorCode::kInvalidArgument, "windowCenter and windowWidth go together");
  return o;
}

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
  content_type = content_type.substr(0, content_type.find(';'));
  if (content_type == "image/jpeg") {
    dicom::RenderOptions options = ARCA_TRY(render_options(q));
    // 404 unless the three UIDs belong together; the plan's record is the one opened.
    service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, ref));
    return rendered_jpeg(ARCA_TRY(deps.retrieve.open_planned(ctx, plan, 0)), options);
  }
  if (content_type != "application/dicom") {
    return http::protocol_error(406, "not_acceptable",
                                "contentType is application/dicom or image/jpeg");
  }
  std::string wanted(q.get("transferSyntax").value_or(dicom::kExplicitVrLittleEndian));
  if (wanted != "*" && wanted != dicom::kExplicitVrLittleEndian) {
    return http::protocol_error(406, "not_acceptable",
                                "instances are served as stored or in Explicit VR Little Endian");
  }
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
