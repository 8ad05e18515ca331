// /api/v1/audit: search the audit trail (audit.read) — by time range, actor, action, outcome,
// study, or patient (the per-patient access report: patient_id and issuer, matched through the
// patient's keyed hash). Paged with `after` (the last seq seen) and `limit`.
//   GET  /api/v1/audit?filters            the search, for API clients and scripts
//   POST /api/v1/audit/search {filters}   the same search with the filters in a JSON body
//   GET  /api/v1/audit/export?format=jsonl|dicom&filters   every match, streamed as a download
//   POST /api/v1/audit/export {format, filters}
// The POST forms exist because a patient id must not travel in a URL from the web app: URLs end
// up in proxy and server access logs, browser history and Referer headers, a JSON body does not.
// The web app uses only the POST forms; the GET forms stay for API users who filter by UID,
// actor or time (and who accept the query-string trade-off for patient_id themselves).
#include <charconv>
#include <functional>

#include "api/json_io.h"
#include "api/request_context.h"
#include "api/route_binding.h"
#include "api/routes.h"

namespace arca::api {
namespace {

using http::Access;
using http::Method;
using http::Request;
using http::Response;
using nlohmann::json;

Result<std::int64_t> number(std::string_view text, const char* name) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0)
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(name) + " must be a non-negative integer");
  return v;
}

json record_json(const store::AuditRecord& r) {
  return json{{"seq", r.seq},
              {"time_ms", r.time_ms},
              {"actor", r.actor},
              {"tenant", r.tenant},
              {"action", r.action},
              {"outcome", r.outcome},
              {"error_code", r.error_code},
              {"detail", r.detail},
              {"patients", r.patients},
              {"studies", r.studies},
              {"series", r.series},
              {"instances", r.instances},
              {"client_address", r.client_address},
              {"user_agent", r.user_agent},
              {"request_id", r.request_id}};
}

// A filter value by name: nullopt when absent.
using FilterValue = std::function<Result<std::optional<std::string>>(std::string_view)>;

Result<service::AuditFilter> filter_from(const FilterValue& get) {
  service::AuditFilter f;
  if (auto v = ARCA_TRY(get("from")))
    f.from_ms = ARCA_TRY(number(*v, "from (ms since the epoch)"));
  if (auto v = ARCA_TRY(get("to")))
    f.to_ms = ARCA_TRY(number(*v, "to (ms since the epoch)"));
  if (auto v = ARCA_TRY(get("after")))
    f.after = static_cast<std::uint64_t>(ARCA_TRY(number(*v, "after")));
  if (auto v = ARCA_TRY(get("before")))
    f.before = static_cast<std::uint64_t>(ARCA_TRY(number(*v, "before")));
  if (auto v = ARCA_TRY(get("order"))) {
    if (*v != "newest" && *v != "oldest")
      return make_error(ErrorCode::kInvalidArgument, "order must be newest or oldest");
    f.newest_first = *v == "newest";
  }
  if (auto v = ARCA_TRY(get("limit")))
    f.limit = static_cast<std::size_t>(ARCA_TRY(number(*v, "limit")));
  f.actor = ARCA_TRY(get("actor")).value_or("");
  f.action = ARCA_TRY(get("action")).value_or("");
  f.outcome = ARCA_TRY(get("outcome")).value_or("");
  f.study = ARCA_TRY(get("study")).value_or("");
  f.patient_id = ARCA_TRY(get("patient_id"));
  f.issuer = ARCA_TRY(get("issuer")).value_or("");
  return f;
}

FilterValue query_values(const Request& request) {
  return [&request](std::string_view name) -> Result<std::optional<std::string>> {
    auto v = request.query().get(name);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  };
}

// Strings as they are, whole numbers as decimal text; null or absent is no filter.
FilterValue body_values(const json& body) {
  return [&body](std::string_view name) -> Result<std::optional<std::string>> {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
      return std::optional<std::string>();
    if (it->is_string())
      return std::optional<std::string>(it->get<std::string>());
    if (it->is_number_integer())
      return std::optional<std::string>(std::to_string(it->get<std::int64_t>()));
    return make_error(ErrorCode::kInvalidArgument,
                      "\"" + std::string(name) + "\" must be a string or a whole number");
  };
}

Result<Response> search_with(service::AuditSearch& audit, Request& request,
                             const service::AuditFilter& f) {
  auto page = ARCA_TRY(audit.search(request_context(request), f));
  json records = json::array();
  for (const store::AuditRecord& r : page.records)
    records.push_back(record_json(r));
  json out{{"records", records}};
  const char* cursor = f.newest_first ? "next_before" : "next_after";
  out[cursor] = page.next_after ? json(*page.next_after) : json(nullptr);
  return json_response(200, out);
}

Result<Response> search(service::AuditSearch& audit, Request& request) {
  return search_with(audit, request, ARCA_TRY(filter_from(query_values(request))));
}

Result<Response> search_post(service::AuditSearch& audit, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  return search_with(audit, request, ARCA_TRY(filter_from(body_values(body))));
}

Result<Response> export_with(service::AuditSearch& audit, Request& request,
                             const FilterValue& get) {
  std::string format = ARCA_TRY(get("format")).value_or("jsonl");
  if (format != "jsonl" && format != "dicom")
    return make_error(ErrorCode::kInvalidArgument, "format must be jsonl or dicom");
  service::AuditFilter f = ARCA_TRY(filter_from(get));
  bool jsonl = format == "jsonl";
  auto source = ARCA_TRY(audit.export_records(
      request_context(request), f,
      jsonl ? service::AuditExportFormat::kJsonl : service::AuditExportFormat::kDicom));
  // One DICOM audit message per line: the file is a list of XML documents, not one document.
  Response r = Response::stream(200, http::StreamBody{std::move(source), std::nullopt},
                                jsonl ? "application/x-ndjson" : "text/plain; charset=utf-8");
  r.headers().set("Content-Disposition", std::string("attachment; filename=\"arca-audit.") +
                                             (jsonl ? "jsonl" : "dicom.txt") + "\"");
  r.headers().set("Cache-Control", "no-store");
  return r;
}

Result<Response> export_get(service::AuditSearch& audit, Request& request) {
  return export_with(audit, request, query_values(request));
}

Result<Response> export_post(service::AuditSearch& audit, Request& request) {
  json body = ARCA_TRY(read_json_object(request));
  return export_with(audit, request, body_values(body));
}

}  // namespace

Result<void> register_audit_routes(http::Router& router, service::AuditSearch& audit) {
  const Access read = Access::require(Permission::kAuditRead);
  const AuditAction a = AuditAction::kAuditRead;
  ARCA_TRY(
      router.add({Method::kGet, "/api/v1/audit", read, a, kMaxJsonBody, bound(audit, search)}));
  ARCA_TRY(router.add(
      {Method::kPost, "/api/v1/audit/search", read, a, kMaxJsonBody, bound(audit, search_post)}));
  ARCA_TRY(router.add(
      {Method::kGet, "/api/v1/audit/export", read, a, kMaxJsonBody, bound(audit, export_get)}));
  return router.add(
      {Method::kPost, "/api/v1/audit/export", read, a, kMaxJsonBody, bound(audit, export_post)});
}

}  // namespace arca::api
