#include "audit/dicom_audit_xml.h"

#include <string_view>

#include "core/clock.h"
#include "core/xml_escape.h"

namespace arca::audit {
namespace {

struct Code {
  std::string_view code;
  std::string_view system;
  std::string_view meaning;
};

struct EventCodes {
  Code id;
  char action;
  std::optional<Code> type;
};

constexpr Code kTransferred{"110104", "DCM", "DICOM Instances Transferred"};
constexpr Code kExport{"110106", "DCM", "Export"};
constexpr Code kImport{"110107", "DCM", "Import"};
constexpr Code kBeginTransfer{"110102", "DCM", "Begin Transferring DICOM Instances"};
constexpr Code kQuery{"110112", "DCM", "Query"};
constexpr Code kAuthentication{"110114", "DCM", "User Authentication"};
constexpr Code kDeleted{"110105", "DCM", "DICOM Study Deleted"};
constexpr Code kSecurityAlert{"110113", "DCM", "Security Alert"};
constexpr Code kAuditLogUsed{"110101", "DCM", "Audit Log Used"};
constexpr Code kApplicationActivity{"110100", "DCM", "Application Activity"};
constexpr Code kSource{"110153", "DCM", "Source Role ID"};
constexpr Code kDestination{"110152", "DCM", "Destination Role ID"};
constexpr Code kApplication{"110150", "DCM", "Application"};
constexpr Code kPatientNumber{"2", "RFC-3881", "Patient Number"};
constexpr Code kStudyUid{"110180", "DCM", "Study Instance UID"};

EventCodes event_codes(std::string_view action) {
  if (action == "store")
    return {kTransferred, 'C', std::nullopt};
  if (action == "retrieve")
    return {kTransferred, 'R', std::nullopt};
  if (action == "transfer_begin")
    return {kBeginTransfer, 'E', std::nullopt};
  if (action == "export" || action == "share")
    return {kExport, 'R', std::nullopt};
  if (action == "query")
    return {kQuery, 'E', std::nullopt};
  if (action == "login")
    return {kAuthentication, 'E', Code{"110122", "DCM", "Login"}};
  if (action == "logout")
    return {kAuthentication, 'E', Code{"110123", "DCM", "Logout"}};
  if (action == "delete" || action == "erase")
    return {kDeleted, 'D', std::nullopt};
  if (action == "admin")
    return {kSecurityAlert, 'E', std::nullopt};
  if (action == "audit_read")
    return {kAuditLogUsed, 'R', std::nullopt};
  // A backup copies the archive out (PS3.15 A.5.3.6 Export); a restore brings it in (Import).
  if (action == "backup")
    return {kExport, 'R', std::nullopt};
  if (action == "restore")
    return {kImport, 'C', std::nullopt};
  return {kApplicationActivity, 'E', std::nullopt};
}

std::string_view outcome_indicator(const store::AuditRecord& r) {
  if (r.outcome == "success")
    return "0";
  if (r.error_code == "permission_denied" || r.error_code == "unauthenticated")
    return "4";
  return "8";
}

void attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_xml_escaped(out, value, XmlContext::kAttribute);
  out += '"';
}

void coded(std::string& out, std::string_view element, const Code& c) {
  out += '<';
  out += element;
  attr(out, "csd-code", c.code);
  attr(out, "codeSystemName", c.system);
  attr(out, "originalText", c.meaning);
  out += "/>";
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(in[k]); };
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6)
      out += kAlphabet[(v >> shift) & 63];
  }
  if (i < in.size()) {
    unsigned v = byte(i) << 16;
    if (i + 1 < in.size())
      v |= byte(i + 1) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// "127.0.0.1:5123" -> "127.0.0.1"; "[::1]:443" -> "::1"; "console" stays.
std::string host_of(std::string_view address) {
  if (!address.empty() && address.front() == '[') {
    auto end = address.find(']');
    return std::string(address.substr(1, end == std::string_view::npos ? end : end - 1));
  }
  auto colon = address.find(':');
  if (colon != std::string_view::npos && address.find(':', colon + 1) == std::string_view::npos)
    return std::string(address.substr(0, colon));
  return std::string(address);
}

void event_identification(std::string& out, const store::AuditRecord& r) {
  EventCodes codes = event_codes(r.action);
  out += "<EventIdentification";
  attr(out, "EventActionCode", std::string_view(&codes.action, 1));
  attr(out, "EventDateTime",
       format_utc_iso8601(Clock::TimePoint(std::chrono::milliseconds(r.time_ms))));
  attr(out, "EventOutcomeIndicator", outcome_indicator(r));
  out += '>';
  coded(out, "EventID", codes.id);
  if (codes.type)
    coded(out, "EventTypeCode", *codes.type);
  std::string description = r.error_code;
  if (!r.detail.empty())
    description += description.empty() ? r.detail : ": " + r.detail;
  if (!description.empty()) {
    out += "<EventOutcomeDescription>";
    append_xml_escaped(out, description);
    out += "</EventOutcomeDescription>";
  }
  out += "</EventIdentification>";
}

void participants(std::string& out, const store::AuditRecord& r, const AuditSource& source) {
  bool arca_sends = r.action == "retrieve" || r.action == "export" || r.action == "share" ||
                    r.action == "transfer_begin";
  bool transfer = arca_sends || r.action == "store";
  out += "<ActiveParticipant";
  attr(out, "UserID", r.actor.empty() ? "unknown" : r.actor);
  attr(out, "UserIsRequestor", "true");
  std::string host = host_of(r.client_address);
  if (!host.empty() && host != "console") {
    attr(out, "NetworkAccessPointID", host);
    attr(out, "NetworkAccessPointTypeCode", "2");
  }
  out += '>';
  if (transfer)
    coded(out, "RoleIDCode", arca_sends ? kDestination : kSource);
  out += "</ActiveParticipant><ActiveParticipant";
  attr(out, "UserID", source.id);
  attr(out, "UserIsRequestor", "false");
  out += '>';
  coded(out, "RoleIDCode", transfer ? (arca_sends ? kSource : kDestination) : kApplication);
  out += "</ActiveParticipant><AuditSourceIdentification";
  if (!r.tenant.empty())
    attr(out, "AuditEnterpriseSiteID", r.tenant);
  attr(out, "AuditSourceID", source.id);
  out += "/>";
}

void objects(std::string& out, const store::AuditRecord& r) {
  for (const auto& patient : r.patients) {
    out += "<ParticipantObjectIdentification";
    attr(out, "ParticipantObjectID", patient);
    attr(out, "ParticipantObjectTypeCode", "1");
    attr(out, "ParticipantObjectTypeCodeRole", "1");
    out += '>';
    coded(out, "ParticipantObjectIDTypeCode", kPatientNumber);
    out += "</ParticipantObjectIdentification>";
  }
  for (const auto& study : r.studies) {
    out += "<ParticipantObjectIdentification";
    attr(out, "ParticipantObjectID", study);
    attr(out, "ParticipantObjectTypeCode", "2");
    attr(out, "ParticipantObjectTypeCodeRole", "3");
    out += '>';
    coded(out, "ParticipantObjectIDTypeCode", kStudyUid);
    out += "<ParticipantObjectDetail";
    attr(out, "type", "ArcaAuditSeq");
    attr(out, "value", base64(std::to_string(r.seq)));
    out += "/><ParticipantObjectDetail";
    attr(out, "type", "ArcaAuditHash");
    attr(out, "value", base64(r.hash));
    out += "/>";
    if (!r.instances.empty()) {
      out += "<ParticipantObjectDescription>";
      out += std::to_string(r.instances.size());
      out += r.instances.size() == 1 ? " instance" : " instances";
      out += "</ParticipantObjectDescription>";
    }
    out += "</ParticipantObjectIdentification>";
  }
}

}  // namespace

std::string dicom_audit_message(const store::AuditRecord& record, const AuditSource& source) {
  std::string out = "<AuditMessage>";
  event_identification(out, record);
  participants(out, record, source);
  objects(out, record);
  out += "</AuditMessage>";
  return out;
}

}  // namespace arca::audit
