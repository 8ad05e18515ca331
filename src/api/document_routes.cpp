// POST /api/v1/studies/{study}/documents (document.write): attach a clinical document to a stored
// study. The body is the file itself, Content-Type application/pdf, image/jpeg or image/png
// (anything else: 415), at most DocumentService::max_document_bytes (413). An optional title
// travels percent-encoded (UTF-8) in the X-Document-Title header, never in the URL, since it
// may name the patient. The answer (201) names the new object:
//   {"status":"stored","study","series","instance","sop_class"}
#include <algorithm>
#include <cctype>

#include "api/json_io.h"
#include "api/request_context.h"
#include "api/route_binding.h"
#include "api/routes.h"
#include "http/url.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxTitleBytes = 256;

// "image/PNG; charset=x" -> "image/png".
std::string media_type(std::string_view header) {
  std::string type(header.substr(0, header.find(';')));
  type.erase(std::remove_if(type.begin(), type.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

Result<std::string> title_of(const Request& request) {
  auto raw = request.headers().get("X-Document-Title");
  if (!raw)
    return std::string();
  if (raw->size() > kMaxTitleBytes * 3)
    return make_error(ErrorCode::kInvalidArgument, "the title is too long");
  std::string title = ARCA_TRY(http::percent_decode(*raw));
  if (std::any_of(title.begin(), title.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7F || c == '\\'; }))
    return make_error(ErrorCode::kInvalidArgument,
                      "the title may not hold control characters or backslashes");
  return title;
}

Result<Response> attach(service::DocumentService& documents, Request& request) {
  service::RequestContext ctx = request_context(request);
  const std::string type = media_type(request.headers().get("Content-Type").value_or(""));
  auto document_type = dicom::document_type_of(type);
  if (!document_type)
    return http::protocol_error(415, "unsupported_media_type",
                                "a document must be application/pdf, image/jpeg or image/png");
  std::string study(request.path_param("study").value_or(""));
  if (!is_valid_uid(study))
    return make_error(ErrorCode::kNotFound, "no such study");
  service::DocumentUpload upload;
  upload.study = StudyUid(study);
  upload.type = *document_type;
  upload.title = ARCA_TRY(title_of(request));
  Bytes body = ARCA_TRY(read_all(request.body(), documents.max_document_bytes()));
  upload.content = body;
  auto stored = ARCA_TRY(documents.attach(ctx, upload));
  return json_response(
      201, json{{"status", stored.status == service::StoreStatus::kStored ? "stored" : "duplicate"},
                {"study", stored.study.str()},
                {"series", stored.series.str()},
                {"instance", stored.instance.str()},
                {"sop_class", stored.sop_class.str()}});
}

}  // namespace

Result<void> register_document_routes(http::Router& router, service::DocumentService& documents) {
  return router.add({Method::kPost, "/api/v1/studies/{study}/documents",
                     Access::require(Permission::kDocumentWrite), AuditAction::kStore,
                     documents.max_document_bytes(), bound(documents, attach)});
}

}  // namespace arca::api
