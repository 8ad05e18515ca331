#include "audit/syslog_message.h"

#include "audit/jsonl_export.h"
#include "core/clock.h"

namespace arca::audit {
namespace {

constexpr int kFacilityAuthorization = 10;
constexpr int kSeverityInformational = 6;
constexpr int kSeverityWarning = 4;

// RFC 5424 header fields are printable US-ASCII without spaces; "-" when empty.
std::string header_field(std::string_view value, std::size_t max) {
  std::string out;
  for (char c : value.substr(0, max)) {
    out += c > 32 && c < 127 ? c : '_';
  }
  return out.empty() ? "-" : out;
}

}  // namespace

std::string syslog_frame(const store::AuditRecord& record, std::string_view hostname) {
  int severity = record.outcome == "success" ? kSeverityInformational : kSeverityWarning;
  std::string message = "<" + std::to_string(kFacilityAuthorization * 8 + severity) + ">1 ";
  message += format_utc_iso8601(Clock::TimePoint(std::chrono::milliseconds(record.time_ms)));
  message += ' ';
  message += header_field(hostname, 255);
  message += " arca - ";
  message += header_field(record.action, 32);
  message += " [arcaAudit@32473 seq=\"" + std::to_string(record.seq) + "\"] ";
  message += record_json_line(record);
  return std::to_string(message.size()) + " " + message;
}

}  // namespace arca::audit
