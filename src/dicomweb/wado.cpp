// WADO-RS (PS3.18 §10.4): instance, series and study retrieve, metadata and frames.
#include <charconv>

#include "dicom/web_views.h"
#include "dicomweb/handlers.h"
#include "dicomweb/multipart.h"
#include "dicomweb/request_context.h"

namespace arca::dicomweb {
namespace {

using http::Request;
using http::Response;

// Objects are read whole for /metadata and /frames (DCMTK parses in memory).
constexpr std::size_t kMaxParsedObject = std::size_t{1} << 30;

std::string instance_path(const InstanceRef& ref) {
  return "/dicom-web/studies/" + ref.study + "/series/" + ref.series + "/instances/" + ref.instance;
}

// The transfer syntax an Accept header asks for ("*" when absent or any).
std::string accepted_transfer_syntax(const Request& request) {
  auto accept = request.headers().get("Accept");
  if (!accept)
    return "*";
  MediaType m = parse_media_type(*accept);
  auto ts = m.param("transfer-syntax");
  if (!ts) {
    auto type = m.param("type");
    if (type) {  // type="application/dicom; transfer-syntax=..." nested in a quoted parameter
      auto nested = parse_media_type(*type).param("transfer-syntax");
      if (nested)
        return std::string(*nested);
    }
    return "*";
  }
  return std::string(*ts);
}

Result<Bytes> read_instance(DicomWebDeps deps, const service::RequestContext& ctx,
                            const InstanceUid& uid) {
  service::OpenedInstance opened = ARCA_TRY(deps.retrieve.open_instance(ctx, uid));
  service::VerifiedSource source(std::move(opened.reader), opened.record);
  return read_all(source, kMaxParsedObject);
}

std::string boundary(DicomWebDeps deps) {
  Bytes r = deps.random.bytes(16);
  return make_boundary(r);
}

Result<std::vector<std::uint32_t>> parse_frame_list(std::string_view list) {
  std::vector<std::uint32_t> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = std::min(list.find(',', start), list.size());
    std::uint32_t n = 0;
    auto [p, ec] = std::from_chars(list.data() + start, list.data() + end, n);
    if (ec != std::errc() || p != list.data() + end || n == 0)
      return make_error(ErrorCode::kInvalidArgument, "frame numbers are positive integers");
    out.push_back(n);
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<InstanceRef>> instances_in_path(DicomWebDeps deps,
                                                   const service::RequestContext& ctx,
                                                   const Request& request) {
  QidoScope scope{QueryLevel::kInstance, std::string(request.path_param("study").value_or("")),
                  std::nullopt};
  if (auto s = request.path_param("series"))
    scope.series = std::string(*s);
  http::QueryParams params;
  if (auto i = request.path_param("instance"))
    params = http::QueryParams({{"SOPInstanceUID", std::string(*i)}});
  QidoRequest q = ARCA_TRY(parse_qido(scope, params));
  q.query.limit = 0;
  std::vector<QueryRow> rows = ARCA_TRY(deps.query.query(ctx, q.query));
  if (rows.empty())
    return make_error(ErrorCode::kNotFound, "no such study, series or instance");
  std::vector<InstanceRef> out;
  for (const QueryRow& row : rows) {
    out.push_back({row.attributes.study.study_uid.str(), row.attributes.series.series_uid.str(),
                   row.attributes.instance.sop_instance_uid.str()});
  }
  return out;
}

Result<Response> retrieve(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  std::vector<InstanceRef> refs = ARCA_TRY(instances_in_path(deps, ctx, request));
  std::string wanted = accepted_transfer_syntax(request);
  std::string b = boundary(deps);
  auto open = [deps, ctx, refs, wanted](std::size_t i) -> Result<PartSource> {
    service::OpenedInstance opened =
        ARCA_TRY(deps.retrieve.open_instance(ctx, InstanceUid(refs[i].instance)));
    std::string ts = opened.record.attributes.instance.transfer_syntax.str();
    if (wanted != "*" && wanted != ts) {
      return make_error(ErrorCode::kUnsupportedTransferSyntax,
                        "transcoding on retrieve is not supported yet");
    }
    return PartSource{
        "application/dicom; transfer-syntax=" + ts,
        std::make_unique<service::VerifiedSource>(std::move(opened.reader), opened.record)};
  };
  if (wanted != "*" && refs.size() == 1) {
    auto first = open(0);  // refuse before the 200 is sent when we can tell
    if (!first.ok())
      return http::protocol_error(406, "not_acceptable", first.error().message);
  }
  auto source = std::make_unique<MultipartSource>(b, refs.size(), open);
  Response r = Response::stream(200, http::StreamBody{std::move(source), std::nullopt},
                                "multipart/related; type=\"application/dicom\"; boundary=" + b);
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

Result<Response> metadata(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  std::vector<InstanceRef> refs = ARCA_TRY(instances_in_path(deps, ctx, request));
  std::string body = "[";
  for (std::size_t i = 0; i < refs.size(); ++i) {
    Bytes object = ARCA_TRY(read_instance(deps, ctx, InstanceUid(refs[i].instance)));
    body += (i ? "," : "") + ARCA_TRY(dicom::metadata_json(object, instance_path(refs[i])));
  }
  body += "]";
  Response r = Response::json(200, body);
  r.headers().set("Content-Type", kDicomJson);
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

Result<Response> frames(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  std::vector<std::uint32_t> numbers =
      ARCA_TRY(parse_frame_list(request.path_param("frames").value_or("")));
  std::vector<InstanceRef> refs = ARCA_TRY(instances_in_path(deps, ctx, request));
  Bytes object = ARCA_TRY(read_instance(deps, ctx, InstanceUid(refs.front().instance)));
  dicom::Frames f = ARCA_TRY(dicom::frames(object, numbers));
  std::string wanted = accepted_transfer_syntax(request);
  if (wanted != "*" && wanted != f.transfer_syntax)
    return http::protocol_error(406, "not_acceptable", "frames cannot be transcoded yet");
  std::string part_type = f.media_type + "; transfer-syntax=" + f.transfer_syntax;
  auto shared = std::make_shared<dicom::Frames>(std::move(f));  // shared: owned by the opener
  auto open = [shared, part_type](std::size_t i) -> Result<PartSource> {
    return PartSource{part_type, std::make_unique<MemorySource>(shared->frames[i])};
  };
  std::string b = boundary(deps);
  auto source = std::make_unique<MultipartSource>(b, shared->frames.size(), open);
  Response r = Response::stream(200, http::StreamBody{std::move(source), std::nullopt},
                                "multipart/related; type=\"" + part_type + "\"; boundary=" + b);
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

}  // namespace arca::dicomweb
