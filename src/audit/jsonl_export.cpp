#include "audit/jsonl_export.h"

#include "audit/event.h"
#include "core/clock.h"

namespace arca::audit {
namespace {

void key(std::string& out, std::string_view name) {
  if (out.size() > 1)
    out += ',';
  append_json_string(out, name);
  out += ':';
}

void text(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty())
    return;
  key(out, name);
  append_json_string(out, value);
}

void number(std::string& out, std::string_view name, std::int64_t value) {
  key(out, name);
  out += std::to_string(value);
}

void list(std::string& out, std::string_view name, const std::vector<std::string>& values) {
  if (values.empty())
    return;
  key(out, name);
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0)
      out += ',';
    append_json_string(out, values[i]);
  }
  out += ']';
}

}  // namespace

std::string record_json_line(const store::AuditRecord& r) {
  std::string out = "{";
  number(out, "seq", static_cast<std::int64_t>(r.seq));
  text(out, "time", format_utc_iso8601(Clock::TimePoint(std::chrono::milliseconds(r.time_ms))));
  number(out, "time_ms", r.time_ms);
  text(out, "actor", r.actor);
  text(out, "tenant", r.tenant);
  text(out, "action", r.action);
  text(out, "outcome", r.outcome);
  text(out, "error_code", r.error_code);
  text(out, "detail", r.detail);
  list(out, "patients", r.patients);
  list(out, "studies", r.studies);
  list(out, "series", r.series);
  list(out, "instances", r.instances);
  text(out, "client_address", r.client_address);
  text(out, "user_agent", r.user_agent);
  text(out, "request_id", r.request_id);
  text(out, "prev_hash", r.prev_hash);
  text(out, "hash", r.hash);
  out += '}';
  return out;
}

}  // namespace arca::audit
