// The JSON-lines export of stored audit records (`arca audit export --format jsonl`): one
// object per record with every field, including seq, prev_hash and hash, so an exported range
// can be checked against the chain later. PHI-free: patients are PatientRefs.
// Thread-safety: a free function.
#pragma once

#include <string>

#include "store/audit_log.h"

namespace arca::audit {

// One JSON object, no trailing newline. Keys: seq, time (ISO 8601 UTC), time_ms, actor, tenant,
// action, outcome, error, detail, patients, studies, series, instances, client, user_agent,
// request_id, prev_hash, hash (empty strings and lists are left out).
std::string record_json_line(const store::AuditRecord& record);

}  // namespace arca::audit
