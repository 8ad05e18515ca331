// STOW-RS (PS3.18 §10.5): multipart/related application/dicom parts through the ingest service,
// answered with the store response (ReferencedSOPSequence, with a WarningReason for instances
// Arca coerced, FailedSOPSequence with one FailureReason per failed part). Parts are read one at
// a time and held in memory up to kMaxPartBytes (the ingest service parses objects in memory);
// a failing part never discards the parts stored before or after it. Arca's private block
// (0099,10xx, creator "ARCA") tells clients what a WarningReason cannot: an identical re-store
// (DUPLICATE) and the ingest service's reason for a failure in words.
//
// multipart/related application/dicom+json: JSON parts hold arrays of data sets whose binary
// values are inline or BulkDataURIs naming the other parts by Content-Location. The whole body
// is read first (up to kMaxPartBytes in all, since data sets may come before their bulk data);
// each data set becomes a Part-10 object (dicom/json_dataset.h) and is stored like a part.
#include <map>

#include "dicom/json_dataset.h"
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
// A JSON part becomes a DOM several times its size: metadata parts are kept small.
constexpr std::size_t kMaxJsonPartBytes = std::size_t{64} << 20;
constexpr std::uint32_t kReferencedSopClass = 0x00081150;
constexpr std::uint32_t kReferencedSopInstance = 0x00081155;
constexpr std::uint32_t kRetrieveUrl = 0x00081190;
constexpr std::uint32_t kWarningReason = 0x00081196;
constexpr std::uint32_t kFailureReason = 0x00081197;
constexpr std::uint32_t kFailedSopSequence = 0x00081198;
constexpr std::uint32_t kReferencedSopSequence = 0x00081199;
// Arca's private block in store responses: (0099,0010) names its creator, (0099,1001) says
// what happened to an instance that was not newly stored (DUPLICATE, REPLACED).
constexpr std::uint32_t kArcaPrivateCreator = 0x00990010;
constexpr std::uint32_t kArcaStoreOutcome = 0x00991001;
// (0099,1002) on a FailedSOPSequence item: the ingest service's reason in words (never PHI).
constexpr std::uint32_t kArcaFailureDetail = 0x00991002;
constexpr std::string_view kArcaCreatorName = "ARCA";
constexpr std::uint16_t kStudyUidMismatch = 0xC409;
constexpr std::uint16_t kCoercion = 0xB000;

struct StoreReport {
  std::vector<DicomJsonObject> stored;
  std::vector<DicomJsonObject> failed;
  bool warned = false;
};

enum class Coerced { kNo, kYes };

void add_failure(StoreReport& report, const dicom::ParsedInstance* parsed, std::uint16_t reason,
                 std::string_view detail = {}) {
  DicomJsonObject item;
  if (parsed != nullptr) {
    item.add(kReferencedSopClass, "UI", parsed->attributes.instance.sop_class_uid.str());
    item.add(kReferencedSopInstance, "UI", parsed->attributes.instance.sop_instance_uid.str());
  }
  item.add(kFailureReason, "US", std::to_string(reason));
  if (!detail.empty()) {
    item.add(kArcaPrivateCreator, "LO", std::string(kArcaCreatorName));
    item.add(kArcaFailureDetail, "LT", detail);
  }
  report.failed.push_back(std::move(item));
}

// Stores one Part-10 object, recording the outcome in the report.
void store_object(DicomWebDeps deps, const service::RequestContext& ctx,
                  const std::optional<std::string_view>& study, ByteView object, Coerced coerced,
                  StoreReport& report) {
  if (study) {
    auto parsed = dicom::parse_part10(object);
    if (parsed.ok() && parsed->attributes.study.study_uid.str() != *study) {
      add_failure(report, &*parsed, kStudyUidMismatch);
      return;
    }
  }
  auto stored = deps.ingest.store(ctx, object);
  if (!stored.ok()) {
    auto parsed = dicom::parse_part10(object);
    add_failure(report, parsed.ok() ? &*parsed : nullptr, dimse_status(stored.error().code),
                stored.error().message);
    return;
  }
  DicomJsonObject item;
  item.add(kReferencedSopClass, "UI", stored->sop_class.str());
  item.add(kReferencedSopInstance, "UI", stored->instance.str());
  item.add(kRetrieveUrl, "UR",
           "/dicom-web/studies/" + stored->study.str() + "/series/" + stored->series.str() +
               "/instances/" + stored->instance.str());
  if (coerced == Coerced::kYes) {
    item.add(kWarningReason, "US", std::to_string(kCoercion));
    report.warned = true;
  }
  if (stored->status != service::StoreStatus::kStored) {
    item.add(kArcaPrivateCreator, "LO", std::string(kArcaCreatorName));
    item.add(kArcaStoreOutcome, "CS",
             stored->status == service::StoreStatus::kDuplicate ? "DUPLICATE" : "REPLACED");
  }
  report.stored.push_back(std::move(item));
}

// Stores one application/dicom part.
void store_part(DicomWebDeps deps, const service::RequestContext& ctx,
                const std::optional<std::string_view>& study, const MultipartReader::PartView& part,
                StoreReport& report) {
  MediaType type = parse_media_type(part.content_type);
  if (!part.content_type.empty() && type.type != "application/dicom") {
    add_failure(report, nullptr, dimse_status(ErrorCode::kUnsupported));
    return;
  }
  store_object(deps, ctx, study, part.body, Coerced::kNo, report);
}

// Reads every part, then builds and stores each data set of the JSON parts.
Result<void> store_json_body(DicomWebDeps deps, const service::RequestContext& ctx,
                             const std::optional<std::string_view>& study, MultipartReader& reader,
                             StoreReport& report) {
  std::vector<Part> json_parts;
  std::map<std::string, Part, std::less<>> bulk;  // by Content-Location
  std::size_t total = 0;
  for (;;) {
    std::optional<Part> part = ARCA_TRY(reader.next());
    if (!part)
      break;
    total += part->body.size();
    if (total > kMaxPartBytes)
      return make_error(ErrorCode::kTooLarge, "a DICOM JSON request is held in memory: 1 GiB");
    const std::string type = parse_media_type(part->content_type).type;
    if (type == "application/dicom+json" || type == "application/json")
      json_parts.push_back(std::move(*part));
    else if (!part->content_location.empty())
      bulk.emplace(part->content_location, std::move(*part));
  }
  if (json_parts.empty())
    return make_error(ErrorCode::kInvalidArgument, "no application/dicom+json part");
  dicom::BulkResolver resolve = [&bulk](std::string_view uri) -> std::optional<dicom::BulkValue> {
    auto it = bulk.find(uri);
    if (it == bulk.end())
      return std::nullopt;
    return dicom::BulkValue{it->second.body, parse_media_type(it->second.content_type).type};
  };
  for (const Part& part : json_parts) {
    if (part.body.size() > kMaxJsonPartBytes) {
      add_failure(report, nullptr, dimse_status(ErrorCode::kTooLarge));
      continue;
    }
    std::string_view text(reinterpret_cast<const char*>(part.body.data()), part.body.size());
    auto built = dicom::part10_from_dicom_json(text, resolve);
    if (!built.ok()) {
      add_failure(report, nullptr, dimse_status(ErrorCode::kInvalidDicom));
      continue;
    }
    for (Result<dicom::BuiltInstance>& instance : *built) {
      if (!instance.ok()) {
        add_failure(report, nullptr, dimse_status(instance.error().code));
        continue;
      }
      store_object(deps, ctx, study, instance->part10,
                   instance->coerced ? Coerced::kYes : Coerced::kNo, report);
    }
  }
  return ok();
}

struct StowBody {
  std::string boundary;
  bool json = false;  // type=application/dicom+json
};

// The boundary and part type of a multipart/related body of application/dicom or
// application/dicom+json parts; kUnsupported (answered 415) for any other media type.
Result<StowBody> request_body(const Request& request) {
  auto content_type = request.headers().get("Content-Type");
  MediaType m = parse_media_type(content_type.value_or(""));
  if (m.type != "multipart/related")
    return make_error(ErrorCode::kUnsupported, "STOW-RS takes multipart/related");
  StowBody out;
  if (auto type = m.param("type")) {
    const std::string t = parse_media_type(*type).type;
    out.json = t == "application/dicom+json";
    if (t != "application/dicom" && !out.json)
      return make_error(ErrorCode::kUnsupported,
                        "parts must be application/dicom or application/dicom+json");
  }
  auto b = m.param("boundary");
  if (!b || b->empty())
    return make_error(ErrorCode::kInvalidArgument, "multipart/related without a boundary");
  out.boundary = std::string(*b);
  return out;
}

Response store_response(const StoreReport& report, std::optional<std::string_view> study) {
  DicomJsonObject body;
  if (study)
    body.add(kRetrieveUrl, "UR", "/dicom-web/studies/" + std::string(*study));
  if (!report.stored.empty())
    body.add_sequence(kReferencedSopSequence, report.stored);
  if (!report.failed.empty())
    body.add_sequence(kFailedSopSequence, report.failed);
  int status = report.stored.empty() ? 409 : report.failed.empty() && !report.warned ? 200 : 202;
  Response r = Response::json(status, body.str());
  r.headers().set("Content-Type", kDicomJson);
  return r;
}

}  // namespace

Result<Response> store(DicomWebDeps deps, Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  auto body = request_body(request);
  if (!body.ok() && body.error().code == ErrorCode::kUnsupported)
    return http::protocol_error(415, "unsupported_media_type", body.error().message);
  if (!body.ok())
    return std::move(body).error();
  std::optional<std::string_view> study = request.path_param("study");
  MultipartReader reader(request.body(), body->boundary, kMaxPartBytes);
  StoreReport report;
  if (body->json) {
    ARCA_TRY(store_json_body(deps, ctx, study, reader, report));
  } else {
    for (;;) {
      auto part = reader.next_view();  // stored straight from the reader's buffer
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
  }
  if (report.stored.empty() && report.failed.empty())
    return make_error(ErrorCode::kInvalidArgument, "multipart body has no parts");
  return store_response(report, study);
}

}  // namespace arca::dicomweb
