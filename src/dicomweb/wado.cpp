// WADO-RS (PS3.18 §10.4): instance, series and study retrieve, metadata and frames.
#include <charconv>

#include "dicom/native_xml.h"
#include "dicom/web_views.h"
#include "dicomweb/handlers.h"
#include "dicomweb/multipart.h"
#include "dicomweb/ranged_body.h"
#include "dicomweb/request_context.h"
#include "service/audited_transfer.h"

namespace arca::dicomweb {
namespace {

using http::Request;
using http::Response;

// Objects are read whole for /metadata and /frames (DCMTK parses in memory).
constexpr std::size_t kMaxParsedObject = std::size_t{1} << 30;

// A MemorySource that keeps its bytes alive (shared: the part owns them while it is streamed).
class OwningMemorySource final : public ByteSource {
 public:
  explicit OwningMemorySource(std::shared_ptr<const Bytes> bytes)
      : bytes_(std::move(bytes)), source_(*bytes_) {}
  Result<std::size_t> read(MutableByteView out) override { return source_.read(out); }

 private:
  std::shared_ptr<const Bytes> bytes_;
  MemorySource source_;
};

std::string instance_path(const InstanceRef& ref) {
  return "/dicom-web/studies/" + ref.study + "/series/" + ref.series + "/instances/" + ref.instance;
}

// What an Accept header asks for: the part media type (multipart `type` parameter, or the
// type itself) and the transfer syntax ("" when not stated, "*" for any). Only the first media
// range is considered.
struct Accepted {
  std::string media_type;
  std::string transfer_syntax;
};

Accepted accepted(const Request& request) {
  auto header = request.headers().get("Accept");
  if (!header)
    return {"", "*"};
  MediaType m = parse_media_type(header->substr(0, header->find(',')));
  Accepted out{m.type, std::string(m.param("transfer-syntax").value_or(""))};
  if (auto type = m.param("type")) {  // type="application/octet-stream; transfer-syntax=..."
    MediaType inner = parse_media_type(*type);
    out.media_type = inner.type;
    if (out.transfer_syntax.empty())
      out.transfer_syntax = std::string(inner.param("transfer-syntax").value_or(""));
  }
  if (out.media_type == "*/*" || out.media_type == "multipart/related")
    out.media_type.clear();
  if (out.media_type.empty() && out.transfer_syntax.empty())
    out.transfer_syntax.assign(1, '*');  // */* or a bare multipart/related: anything will do
  return out;
}

Response not_acceptable(std::string_view why) {
  return http::protocol_error(406, "not_acceptable", why);
}

constexpr std::size_t kMetadataFirstRead = 64 * 1024;
constexpr std::uint32_t kPixelData = 0x7FE00010;
constexpr std::string_view kDeflated = "1.2.840.10008.1.2.1.99";

// Reads an opened instance from its start, 64 KiB first and doubling (deflated objects whole),
// until parse(prefix, complete) answers something other than nullopt.
template <typename T, typename Parse>
Result<T> parse_prefix(service::OpenedInstance& opened, Parse parse) {
  const std::uint64_t size = opened.reader->size();
  std::size_t want = opened.record.attributes.instance.transfer_syntax.str() == kDeflated
                         ? static_cast<std::size_t>(size)
                         : kMetadataFirstRead;
  Bytes prefix;
  for (;;) {
    want = static_cast<std::size_t>(std::min<std::uint64_t>(want, size));
    if (want > kMaxParsedObject)
      return make_error(ErrorCode::kTooLarge, "object header too large to parse");
    std::size_t have = prefix.size();
    prefix.resize(want);
    while (have < want) {
      std::size_t n = ARCA_TRY(opened.reader->read_at(have, MutableByteView(prefix).subspan(have)));
      if (n == 0)
        return make_error(ErrorCode::kIntegrity, "stored object shorter than recorded");
      have += n;
    }
    std::optional<T> parsed = ARCA_TRY(parse(ByteView(prefix), want == size));
    if (parsed)
      return std::move(*parsed);
    want *= 2;
  }
}

}  // namespace

service::MetadataRenderer json_renderer() {
  return {"dicom+json/1", [](service::OpenedInstance& opened) -> Result<std::string> {
            const auto& a = opened.record.attributes;
            const std::string base =
                instance_path({a.study.study_uid.str(), a.series.series_uid.str(),
                               a.instance.sop_instance_uid.str()});
            return parse_prefix<std::string>(opened, [&base](ByteView prefix, bool complete) {
              return dicom::metadata_json_from_prefix(prefix, complete, base);
            });
          }};
}

namespace {

// The same in the Native DICOM Model (application/dicom+xml).
Result<std::string> instance_metadata_xml(service::OpenedInstance& opened) {
  const auto& a = opened.record.attributes;
  const std::string base = instance_path(
      {a.study.study_uid.str(), a.series.series_uid.str(), a.instance.sop_instance_uid.str()});
  return parse_prefix<std::string>(opened, [&base](ByteView prefix, bool complete) {
    return dicom::metadata_xml_from_prefix(prefix, complete, base);
  });
}

// Frames of native little-endian pixel data read straight from their place in the blob (only
// the segments holding them are decrypted); kUnsupported when the object is laid out otherwise.
Result<dicom::Frames> native_frames_in_place(service::OpenedInstance& opened,
                                             const std::vector<std::uint32_t>& numbers) {
  dicom::NativeLayout layout =
      ARCA_TRY(parse_prefix<dicom::NativeLayout>(opened, [](ByteView prefix, bool complete) {
        return dicom::native_layout(prefix, complete);
      }));
  dicom::Frames out{std::string(dicom::kExplicitVrLittleEndian), "application/octet-stream", {}};
  for (std::uint32_t n : numbers) {
    if (n < 1 || n > layout.frames)
      return make_error(ErrorCode::kNotFound, "no such frame");
    Bytes frame(static_cast<std::size_t>(layout.frame_size));
    std::size_t have = 0;
    const std::uint64_t start = layout.offset + (n - 1) * layout.frame_size;
    while (have < frame.size()) {
      std::size_t got =
          ARCA_TRY(opened.reader->read_at(start + have, MutableByteView(frame).subspan(have)));
      if (got == 0)
        return make_error(ErrorCode::kIntegrity, "stored object shorter than its frames");
      have += got;
    }
    out.frames.push_back(std::move(frame));
  }
  return out;
}

Result<Bytes> read_instance(service::OpenedInstance opened) {
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

Result<PartSource> part_from(service::OpenedInstance opened, const std::string& wanted,
                             Fallback fallback) {
  const std::string ts = opened.record.attributes.instance.transfer_syntax.str();
  auto source = std::make_unique<service::VerifiedSource>(std::move(opened.reader), opened.record);
  if (wanted == "*" || wanted == ts)
    return PartSource{"application/dicom; transfer-syntax=" + ts, std::move(source)};
  Bytes stored = ARCA_TRY(read_all(*source, kMaxParsedObject));
  auto encoded = dicom::to_explicit_little_endian(stored);
  if (!encoded.ok() && encoded.error().code == ErrorCode::kUnsupportedTransferSyntax &&
      fallback == Fallback::kAsStored) {
    return PartSource{
        "application/dicom; transfer-syntax=" + ts,
        std::make_unique<OwningMemorySource>(std::make_shared<const Bytes>(std::move(stored)))};
  }
  auto bytes = std::make_shared<const Bytes>(ARCA_TRY(std::move(encoded)));
  return PartSource{"application/dicom; transfer-syntax=" + wanted,
                    std::make_unique<OwningMemorySource>(std::move(bytes))};
}

Result<service::RetrievePlan> plan_in_path(DicomWebDeps deps, const service::RequestContext& ctx,
                                           const Request& request) {
  return plan_in_path(deps, ctx,
                      {std::string(request.path_param("study").value_or("")),
                       std::string(request.path_param("series").value_or("")),
                       std::string(request.path_param("instance").value_or(""))});
}

Result<service::RetrievePlan> plan_in_path(DicomWebDeps deps, const service::RequestContext& ctx,
                                           const InstanceRef& filter) {
  // The retrieve use case lists what the principal may read (image.read, its tenant), in
  // series and instance order; the query service (study.query) is not involved.
  service::RetrieveScope scope;
  if (!filter.instance.empty()) {
    scope.level = service::RetrieveLevel::kInstance;
    scope.instances.emplace_back(filter.instance);
  } else {
    scope.level =
        filter.series.empty() ? service::RetrieveLevel::kStudy : service::RetrieveLevel::kSeries;
    scope.studies.emplace_back(filter.study);
    if (!filter.series.empty())
      scope.series.emplace_back(filter.series);
  }
  service::RetrievePlan plan = ARCA_TRY(deps.retrieve.plan(ctx, scope));
  // Study and series plans hold only what the path names; an instance must also sit in the
  // study and series its path names.
  for (const store::StoredInstance& row : plan.instances()) {
    const bool in_path =
        (filter.study.empty() || row.attributes.study.study_uid.str() == filter.study) &&
        (filter.series.empty() || row.attributes.series.series_uid.str() == filter.series);
    if (!in_path)
      return make_error(ErrorCode::kNotFound, "no such study, series or instance");
  }
  if (plan.instances().empty())
    return make_error(ErrorCode::kNotFound, "no such study, series or instance");
  return plan;
}

Result<Response> retrieve(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  std::string wanted = accepted(request).transfer_syntax;
  if (wanted.empty())
    wanted = std::string(dicom::kExplicitVrLittleEndian);  // PS3.18 default for application/dicom
  if (wanted != "*" && wanted != dicom::kExplicitVrLittleEndian)
    return not_acceptable("instances are served as stored or in Explicit VR Little Endian");
  service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, request));
  std::string b = boundary(deps);
  const std::size_t count = plan.instances().size();
  MultipartSource::Opener open;
  std::optional<std::uint64_t> length;  // known when every part goes out as stored
  if (count == 1) {
    // One instance (at any level), opened from the plan's record (no second index lookup) and
    // audited once, before the 200 is sent: refused with 406 if it cannot be transcoded.
    auto part =
        part_from(ARCA_TRY(deps.retrieve.open_planned(ctx, plan, 0)), wanted, Fallback::kRefuse);
    if (!part.ok() && part.error().code == ErrorCode::kUnsupportedTransferSyntax)
      return not_acceptable(part.error().message);
    const store::StoredInstance& row = plan.instances().front();
    const std::string ts = row.attributes.instance.transfer_syntax.str();
    if (wanted == "*" || wanted == ts)
      length = multipart_length(b, {{"application/dicom; transfer-syntax=" + ts, row.size}});
    // shared: the copyable opener hands the one part out once.
    auto opened = std::make_shared<std::optional<PartSource>>(ARCA_TRY(std::move(part)));
    open = [opened](std::size_t) -> Result<PartSource> {
      if (!opened->has_value())
        return make_error(ErrorCode::kInvalidArgument, "the part was already sent");
      PartSource out = std::move(**opened);
      opened->reset();
      return out;
    };
  } else {
    // Sent as stored throughout: every part's size is known, so is the body's.
    std::vector<std::pair<std::string, std::uint64_t>> sizes;
    for (const auto& row : plan.instances()) {
      const std::string ts = row.attributes.instance.transfer_syntax.str();
      if (wanted != "*" && wanted != ts)
        break;
      sizes.emplace_back("application/dicom; transfer-syntax=" + ts, row.size);
    }
    if (sizes.size() == count)
      length = multipart_length(b, sizes);
    // Series and study: audited once for the whole transfer, not once per instance.
    // shared: the opener is a copyable std::function and the stream records its audit event
    // when the last copy goes, i.e. when the response body is done.
    std::shared_ptr<service::AuditedTransfer> stream =
        ARCA_TRY(deps.retrieve.stream(ctx, std::move(plan)));
    open = [stream, wanted](std::size_t i) -> Result<PartSource> {
      return part_from(ARCA_TRY(stream->open(i)), wanted, Fallback::kAsStored);
    };
  }
  auto source = std::make_unique<MultipartSource>(b, count, std::move(open));
  Response r = Response::stream(200, http::StreamBody{std::move(source), length},
                                "multipart/related; type=\"application/dicom\"; boundary=" + b);
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

Result<Response> metadata(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  const bool xml = wants_dicom_xml(request);
  if (!xml && !accepts_dicom_json(request))
    return not_acceptable("metadata is application/dicom+json or multipart application/dicom+xml");
  service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, request));
  if (xml) {  // PS3.18: one part per instance, each written when its turn comes
    const std::size_t count = plan.instances().size();
    // shared: owned by the copyable opener; audits the transfer when the body is done.
    std::shared_ptr<service::AuditedTransfer> stream =
        ARCA_TRY(deps.retrieve.stream(ctx, std::move(plan)));
    auto open = [stream](std::size_t i) -> Result<PartSource> {
      service::OpenedInstance opened = ARCA_TRY(stream->open(i));
      std::string document = ARCA_TRY(instance_metadata_xml(opened));
      auto text = std::make_shared<const Bytes>(document.begin(), document.end());
      return PartSource{"application/dicom+xml", std::make_unique<OwningMemorySource>(text)};
    };
    std::string b = boundary(deps);
    Response r = Response::stream(
        200, http::StreamBody{std::make_unique<MultipartSource>(b, count, open), std::nullopt},
        "multipart/related; type=\"application/dicom+xml\"; boundary=" + b);
    r.headers().set("Cache-Control", "private, no-store");
    return r;
  }
  std::vector<std::string> texts = ARCA_TRY(deps.retrieve.metadata(ctx, plan, json_renderer()));
  std::size_t size = 2;
  for (const std::string& t : texts)
    size += t.size() + 1;
  Bytes body;  // built in place: the answer of a 200-instance study is ~0.6 MB
  body.reserve(size);
  body.push_back('[');
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i)
      body.push_back(',');
    const auto* text = reinterpret_cast<const std::uint8_t*>(texts[i].data());
    body.insert(body.end(), text, text + texts[i].size());
  }
  body.push_back(']');
  Response r(200);
  r.set_body(std::move(body));
  r.headers().set("Content-Type", kDicomJson);
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

Result<Response> bulkdata(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  std::string_view tag_text = request.path_param("tag").value_or("");
  std::uint32_t tag = 0;
  auto [p, ec] = std::from_chars(tag_text.data(), tag_text.data() + tag_text.size(), tag, 16);
  if (ec != std::errc() || p != tag_text.data() + tag_text.size() || tag_text.size() != 8)
    return make_error(ErrorCode::kInvalidArgument, "a bulk data tag is eight hex digits");
  service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, request));
  service::OpenedInstance opened = ARCA_TRY(deps.retrieve.open_planned(ctx, plan, 0));
  Accepted a = accepted(request);
  const bool single_part =
      a.media_type == "application/octet-stream" &&
      request.headers().get("Accept")->find("multipart") == std::string_view::npos;
  if (single_part && tag == kPixelData) {  // native pixel data is served from its place
    auto layout = parse_prefix<dicom::NativeLayout>(opened, [](ByteView prefix, bool complete) {
      return dicom::native_layout(prefix, complete);
    });
    if (layout.ok()) {
      http::RangedBody body =
          stored_slice_body(std::move(opened), layout->offset, layout->value_length);
      Response r = ARCA_TRY(http::ranged_response(request, body, "application/octet-stream"));
      r.headers().set("Cache-Control", "private, no-store");
      return r;
    }
    if (layout.error().code != ErrorCode::kUnsupported)
      return std::move(layout).error();
  }
  Bytes object = ARCA_TRY(read_instance(std::move(opened)));
  auto value = std::make_shared<const Bytes>(ARCA_TRY(dicom::bulk_value(object, tag)));
  if (single_part) {
    Response r =
        ARCA_TRY(http::ranged_response(request, memory_body(value), "application/octet-stream"));
    r.headers().set("Cache-Control", "private, no-store");
    return r;
  }
  std::string b = boundary(deps);
  auto open = [value](std::size_t) -> Result<PartSource> {
    return PartSource{"application/octet-stream", std::make_unique<OwningMemorySource>(value)};
  };
  Response r = Response::stream(
      200, http::StreamBody{std::make_unique<MultipartSource>(b, 1, open), std::nullopt},
      "multipart/related; type=\"application/octet-stream\"; boundary=" + b);
  r.headers().set("Cache-Control", "private, no-store");
  return r;
}

Result<Response> frames(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  std::vector<std::uint32_t> numbers =
      ARCA_TRY(parse_frame_list(request.path_param("frames").value_or("")));
  service::RetrievePlan plan = ARCA_TRY(plan_in_path(deps, ctx, request));
  service::OpenedInstance opened = ARCA_TRY(deps.retrieve.open_planned(ctx, plan, 0));
  Accepted a = accepted(request);
  // application/octet-stream without a transfer syntax means Explicit VR Little Endian.
  const bool native = a.transfer_syntax == dicom::kExplicitVrLittleEndian ||
                      (a.transfer_syntax.empty() && a.media_type == "application/octet-stream");
  auto decoded = native_frames_in_place(opened, numbers);
  if (!decoded.ok() && decoded.error().code == ErrorCode::kUnsupported) {
    service::VerifiedSource source(std::move(opened.reader), opened.record);
    Bytes object = ARCA_TRY(read_all(source, kMaxParsedObject));
    decoded =
        dicom::frames(object, numbers,
                      native ? dicom::FrameSyntax::kUncompressed : dicom::FrameSyntax::kAsStored);
  }
  if (!decoded.ok() && decoded.error().code == ErrorCode::kUnsupportedTransferSyntax)
    return not_acceptable(decoded.error().message);
  dicom::Frames f = ARCA_TRY(std::move(decoded));
  if (!native && !a.transfer_syntax.empty() && a.transfer_syntax != "*" &&
      a.transfer_syntax != f.transfer_syntax)
    return not_acceptable("frames are served as stored or in Explicit VR Little Endian");
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
