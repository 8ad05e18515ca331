#include "audit/event.h"

#include <cstdio>

namespace arca::audit {

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

namespace {

void append_escaped(std::string& out, std::string_view s) {
  append_json_string(out, s);
}

void field(std::string& out, std::string_view key, std::string_view value) {
  if (out.size() > 1)
    out += ',';
  append_escaped(out, key);
  out += ':';
  append_escaped(out, value);
}

template <typename Id>
void list(std::string& out, std::string_view key, const std::vector<Id>& ids) {
  if (ids.empty())
    return;
  out += ',';
  append_escaped(out, key);
  out += ":[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i != 0)
      out += ',';
    append_escaped(out, ids[i].str());
  }
  out += ']';
}

}  // namespace

std::string to_json_line(const AuditEvent& e) {
  std::string out = "{";
  field(out, "time", format_utc_iso8601(e.time));
  field(out, "actor", e.actor);
  field(out, "tenant", e.tenant.str());
  field(out, "action", audit_action_name(e.action));
  field(out, "outcome", e.outcome == Outcome::kSuccess ? "success" : "failure");
  if (!e.error_code.empty())
    field(out, "error_code", e.error_code);
  if (!e.detail.empty())
    field(out, "detail", e.detail);
  list(out, "patients", e.patients);
  list(out, "studies", e.studies);
  list(out, "series", e.series);
  list(out, "instances", e.instances);
  if (!e.client_address.empty())
    field(out, "client_address", e.client_address);
  if (!e.user_agent.empty())
    field(out, "user_agent", e.user_agent);
  if (!e.request_id.empty())
    field(out, "request_id", e.request_id);
  out += '}';
  return out;
}

}  // namespace arca::audit
