#include "dicomweb/routes.h"

#include "dicomweb/handlers.h"
#include "dicomweb/request_context.h"

namespace arca::dicomweb {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;

constexpr std::uint64_t kMaxStowBody = std::uint64_t{8} << 30;

struct Entry {
  Method method;
  std::string path;
  Permission permission;
  AuditAction audit;
  http::Handler handler;
};

}  // namespace

bool accepts_dicom_json(const http::Request& request) {
  auto accept = request.headers().get("Accept");
  if (!accept)
    return true;
  for (std::string_view type :
       {"application/dicom+json", "application/json", "application/*", "*/*"}) {
    if (accept->find(type) != std::string_view::npos)
      return true;
  }
  return false;
}

bool wants_dicom_xml(const http::Request& request) {
  auto header = request.headers().get("Accept");
  if (!header)
    return false;
  MediaType m = parse_media_type(header->substr(0, header->find(',')));
  if (m.type == "application/dicom+xml")
    return true;
  auto type = m.param("type");
  return m.type == "multipart/related" && type &&
         parse_media_type(*type).type == "application/dicom+xml";
}

namespace {

// QIDO results as multipart/related application/dicom+xml, one document per result; none is
// 204 (a multipart body needs at least one part).
Response xml_results(DicomWebDeps deps, const std::vector<QueryRow>& rows,
                     const std::vector<const QueryKey*>& fields) {
  if (rows.empty())
    return Response(204);
  auto documents = std::make_shared<const std::vector<std::string>>(qido_xml(rows, fields));
  auto open = [documents](std::size_t i) -> Result<PartSource> {
    return PartSource{"application/dicom+xml",
                      std::make_unique<MemorySource>(as_bytes((*documents)[i]))};
  };
  std::string boundary = make_boundary(deps.random.bytes(16));
  return Response::stream(
      200,
      http::StreamBody{std::make_unique<MultipartSource>(boundary, documents->size(), open),
                       std::nullopt},
      "multipart/related; type=\"application/dicom+xml\"; boundary=" + boundary);
}

}  // namespace

Result<http::Response> search(DicomWebDeps deps, QueryLevel level, http::Request& request) {
  service::RequestContext ctx = ARCA_TRY(request_context(request));
  const bool xml = wants_dicom_xml(request);
  if (!xml && !accepts_dicom_json(request)) {
    return http::protocol_error(406, "not_acceptable",
                                "search results are application/dicom+json or "
                                "multipart application/dicom+xml");
  }
  QidoScope scope{level, std::nullopt, std::nullopt};
  if (auto s = request.path_param("study"))
    scope.study = std::string(*s);
  if (auto s = request.path_param("series"))
    scope.series = std::string(*s);
  QidoRequest q = ARCA_TRY(parse_qido(scope, request.query()));
  const std::size_t wanted = q.query.limit;
  q.query.limit = wanted + 1;  // one more tells whether there are more
  service::QueryAnswer answer = ARCA_TRY(deps.query.search(ctx, q.query, q.total));
  std::vector<QueryRow>& rows = answer.rows;
  const bool cut = rows.size() > wanted;
  if (cut)
    rows.resize(wanted);
  Response r =
      xml ? xml_results(deps, rows, q.fields) : Response::json(200, qido_json(rows, q.fields));
  if (!xml)
    r.headers().set("Content-Type", kDicomJson);
  r.headers().set("Cache-Control", "no-store");
  if (answer.total)
    r.headers().set("X-Total-Count", std::to_string(*answer.total));
  if (cut) {
    r.headers().set("Warning", "299 arca \"There are additional results that can be requested\"");
  }
  return r;
}

Result<void> register_dicomweb_routes(http::Router& router, DicomWebDeps deps) {
  auto qido = [deps](QueryLevel level) {
    return [deps, level](Request& r) { return search(deps, level, r); };
  };
  auto wado = [deps](auto fn) { return [deps, fn](Request& r) { return fn(deps, r); }; };
  const auto q = Permission::kStudyQuery;
  const auto read = Permission::kImageRead;
  const auto write = Permission::kStudyWrite;
  const auto kQ = AuditAction::kQuery;
  const auto kR = AuditAction::kRetrieve;
  const std::string inst = "/dicom-web/studies/{study}/series/{series}/instances/{instance}";
  const std::vector<Entry> entries = {
      {Method::kGet, "/dicom-web/studies", q, kQ, qido(QueryLevel::kStudy)},
      {Method::kGet, "/dicom-web/series", q, kQ, qido(QueryLevel::kSeries)},
      {Method::kGet, "/dicom-web/instances", q, kQ, qido(QueryLevel::kInstance)},
      {Method::kGet, "/dicom-web/studies/{study}/series", q, kQ, qido(QueryLevel::kSeries)},
      {Method::kGet, "/dicom-web/studies/{study}/instances", q, kQ, qido(QueryLevel::kInstance)},
      {Method::kGet, "/dicom-web/studies/{study}/series/{series}/instances", q, kQ,
       qido(QueryLevel::kInstance)},
      {Method::kGet, "/dicom-web/studies/{study}", read, kR, wado(retrieve)},
      {Method::kGet, "/dicom-web/studies/{study}/series/{series}", read, kR, wado(retrieve)},
      {Method::kGet, inst, read, kR, wado(retrieve)},
      {Method::kGet, "/dicom-web/studies/{study}/metadata", read, kR, wado(metadata)},
      {Method::kGet, "/dicom-web/studies/{study}/series/{series}/metadata", read, kR,
       wado(metadata)},
      {Method::kGet, inst + "/metadata", read, kR, wado(metadata)},
      {Method::kGet, inst + "/frames/{frames}", read, kR, wado(frames)},
      {Method::kGet, inst + "/bulk/{tag}", read, kR, wado(bulkdata)},
      {Method::kGet, inst + "/rendered", read, kR, wado(rendered)},
      {Method::kGet, inst + "/frames/{frames}/rendered", read, kR, wado(rendered)},
      {Method::kGet, inst + "/thumbnail", read, kR, wado(thumbnail)},
      {Method::kGet, "/dicom-web/studies/{study}/series/{series}/thumbnail", read, kR,
       wado(thumbnail)},
      {Method::kGet, "/dicom-web/studies/{study}/thumbnail", read, kR, wado(thumbnail)},
      {Method::kGet, "/wado", read, kR, wado(wado_uri)},
      {Method::kPost, "/dicom-web/studies", write, AuditAction::kStore, wado(store)},
      {Method::kPost, "/dicom-web/studies/{study}", write, AuditAction::kStore, wado(store)},
  };
  for (const Entry& e : entries) {
    std::optional<std::uint64_t> limit;
    if (e.method == Method::kPost)
      limit = kMaxStowBody;
    ARCA_TRY(router.add(
        http::Route{e.method, e.path, Access::require(e.permission), e.audit, limit, e.handler}));
  }
  return ok();
}

}  // namespace arca::dicomweb
