// An audit event (DESIGN §6): who did what to which objects, when, from where, with what
// outcome. Objects are UIDs and the opaque PatientRef — never a name or patient id in clear.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "domain/audit_action.h"
#include "domain/ids.h"

namespace arca::audit {

enum class Outcome { kSuccess, kFailure };

struct AuditEvent {
  Clock::TimePoint time;
  std::string actor;  // opaque: "user:42", "token:7", "ae:MODALITY1", "local-operator"
  TenantId tenant;
  AuditAction action = AuditAction::kNone;
  Outcome outcome = Outcome::kSuccess;
  std::string error_code;  // error_code_name() on failure
  std::string detail;      // PHI-free detail, e.g. "duplicate", "3 results"
  std::vector<PatientRef> patients;
  std::vector<StudyUid> studies;
  std::vector<SeriesUid> series;
  std::vector<InstanceUid> instances;
  std::string client_address;
  std::string user_agent;
  std::string request_id;
};

// One JSON object on one line (the log line of an event), with the field names of
// record_json_line() and the API.
std::string to_json_line(const AuditEvent& event);
// Appends s as a JSON string literal (quoted, escaped).
void append_json_string(std::string& out, std::string_view s);

}  // namespace arca::audit
