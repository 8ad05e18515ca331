// The JSON-lines export of stored audit records: the one writer behind `arca audit export
// --format jsonl`, GET/POST /api/v1/audit/export?format=jsonl and the syslog message body. One
// object per record with every field, including seq, prev_hash and hash, so an exported range
// can be checked against the chain later; field names are those of GET /api/v1/audit
// (client_address, error_code). PHI-free: patients are PatientRefs.
// Thread-safety: a free function.
#pragma once

#include <string>

#include "store/audit_log.h"

namespace arca::audit {

// One JSON object, no trailing newline. Keys: seq, time (ISO 8601 UTC), time_ms, actor, tenant,
// action, outcome, error_code, detail, patients, studies, series, instances, client_address,
// user_agent, request_id, prev_hash, hash (empty strings and lists are left out).
std::string record_json_line(const store::AuditRecord& record);

}  // namespace arca::audit
