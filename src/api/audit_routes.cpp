// /api/v1/audit: search the audit trail (audit.read) — by time range, actor, action, outcome,
// study, or patient (the per-patient access report: ?patient_id=…&issuer=…, matched through the
// patient's keyed hash). Paged with `after` (the last seq seen) and `limit`.
#include <charconv>

#include "api/json_io.h"
#include "api/request_context.h"
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

Result<Response> search(service::AuditSearch& audit, Request& request) {
  service::AuditFilter f;
  const auto& q = request.query();
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto v = q.get(name);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  };
  if (auto v = get("from"))
    f.from_ms = ARCA_TRY(number(*v, "from (ms since the epoch)"));
  if (auto v = get("to"))
    f.to_ms = ARCA_TRY(number(*v, "to (ms since the epoch)"));
  if (auto v = get("after"))
    f.after = static_cast<std::uint64_t>(ARCA_TRY(number(*v, "after")));
  if (auto v = get("limit"))
    f.limit = static_cast<std::size_t>(ARCA_TRY(number(*v, "limit")));
  f.actor = get("actor").value_or("");
  f.action = get("action").value_or("");
  f.outcome = get("outcome").value_or("");
  f.study = get("study").value_or("");
  f.patient_id = get("patient_id");
  f.issuer = get("issuer").value_or("");
  auto page = ARCA_TRY(audit.search(request_context(request), f));
  json records = json::array();
  for (const store::AuditRecord& r : page.records)
    records.push_back(record_json(r));
  json out{{"records", records}};
  out["next_after"] = page.next_after ? json(*page.next_after) : json(nullptr);
  return json_response(200, out);
}

}  // namespace

Result<void> register_audit_routes(http::Router& router, service::AuditSearch& audit) {
  return router.add({Method::kGet, "/api/v1/audit", Access::require(Permission::kAuditRead),
                     AuditAction::kAuditRead, kMaxJsonBody,
                     [&audit](Request& r) { return search(audit, r); }});
}

}  // namespace arca::api
