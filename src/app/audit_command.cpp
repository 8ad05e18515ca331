#include "app/audit_command.h"

#include <ctime>
#include <ostream>

#include "audit/chain_verifier.h"
#include "audit/dicom_audit_xml.h"
#include "audit/jsonl_export.h"
#include "audit/retention.h"
#include "service/request_context.h"

namespace arca::app {
namespace {

constexpr std::size_t kPage = 1000;

std::string json_text(std::string_view s) {
  std::string out;
  audit::append_json_string(out, s);
  return out;
}

}  // namespace

int run_audit_verify(Archive& archive, bool json, std::ostream& out, std::ostream& err) {
  auto report = audit::verify_chain(archive.audit_log(), archive.audit_signer());
  if (!report.ok()) {
    err << "error: " << report.error().message << '\n';
    return 1;
  }
  const auto& r = report.value();
  if (json) {
    out << "{\"intact\":" << (r.intact() ? "true" : "false") << ",\"records\":" << r.records
        << ",\"checkpoints\":" << r.checkpoints << ",\"head\":" << r.head;
    if (r.first_break) {
      out << ",\"break\":{\"seq\":" << r.first_break->seq
          << ",\"kind\":" << json_text(audit::break_kind_name(r.first_break->kind))
          << ",\"message\":" << json_text(r.first_break->message) << '}';
    }
    out << "}\n";
  }
  if (r.first_break) {
    err << "audit trail BROKEN at record " << r.first_break->seq << " ("
        << audit::break_kind_name(r.first_break->kind) << "): " << r.first_break->message << '\n';
    return 1;
  }
  if (!json) {
    out << "audit trail intact: " << r.records << " records, " << r.checkpoints
        << " signed checkpoints, head at record " << r.head << '\n';
  }
  return 0;
}

std::optional<std::int64_t> parse_utc_time(std::string_view text) {
  if (!text.empty() && text.back() == 'Z')
    text.remove_suffix(1);
  std::tm tm{};
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::string s(text);
  char tail = 0;
  int n = 0;
  if (s.size() == 10) {
    n = std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &year, &month, &day, &tail);
    if (n != 3)
      return std::nullopt;
  } else if (s.size() == 16) {
    n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d%c", &year, &month, &day, &hour, &minute, &tail);
    if (n != 5)
      return std::nullopt;
  } else if (s.size() == 19) {
    n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour, &minute,
                    &second, &tail);
    if (n != 6)
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000;
}

// Reading the trail is itself an access (it names patients by PatientRef and studies): it is
// recorded before anything is written, and refused if it cannot be.
Result<void> record_export(Archive& archive, const AuditExportRequest& request) {
  SystemClock clock;
  audit::AuditEvent event;
  event.time = clock.now();
  event.actor = service::Principal::local_operator(default_tenant()).id;
  event.tenant = default_tenant();
  event.action = AuditAction::kAuditRead;
  event.client_address = "console";
  event.detail = std::string("export ") +
                 (request.format == AuditExportFormat::kJsonl ? "jsonl" : "dicom") + " from " +
                 std::to_string(request.from_ms) + " to " + std::to_string(request.to_ms) + " ms";
  return archive.audit_recorder().record(event);
}

int run_audit_export(Archive& archive, const AuditExportRequest& request, std::ostream& out,
                     std::ostream& err) {
  auto recorded = record_export(archive, request);
  if (!recorded.ok()) {
    err << "error: audit trail unavailable: " << recorded.error().message << '\n';
    return 1;
  }
  audit::AuditSource source{archive.config().dicom.aet};
  std::uint64_t after = 0;
  while (true) {
    auto page = archive.audit_log().read_time_range(request.from_ms, request.to_ms, after, kPage);
    if (!page.ok()) {
      err << "error: " << page.error().message << '\n';
      return 1;
    }
    for (const auto& record : page.value()) {
      out << (request.format == AuditExportFormat::kJsonl
                  ? audit::record_json_line(record)
                  : audit::dicom_audit_message(record, source))
          << '\n';
    }
    if (page->size() < kPage)
      break;
    after = page->back().seq;
  }
  out.flush();
  return out ? 0 : 1;
}

int run_audit_prune(Archive& archive, bool json, std::ostream& out, std::ostream& err) {
  SystemClock clock;
  auto pruned = audit::prune_expired(archive.audit_log(), archive.audit_recorder(), clock,
                                     std::chrono::days(archive.config().audit.retention_days));
  if (!pruned.ok()) {
    err << "error: " << pruned.error().message << '\n';
    return 1;
  }
  if (json) {
    out << "{\"removed\":" << pruned->removed << ",\"from\":" << pruned->from
        << ",\"through\":" << pruned->through << "}\n";
  } else if (pruned->removed == 0) {
    out << "nothing older than " << archive.config().audit.retention_days << " days to remove\n";
  } else {
    out << "removed audit records " << pruned->from << ".." << pruned->through << '\n';
  }
  return 0;
}

}  // namespace arca::app
