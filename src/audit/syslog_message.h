// One audit record as a syslog message for a collector (DESIGN §6): RFC 5424 format, framed by
// octet counting as RFC 5425 (syslog over TLS) requires: "<length> <message>".
//   <PRI>1 TIMESTAMP HOSTNAME arca - ACTION [arcaAudit@32473 seq="N"] {record as JSON}
// PRI is facility 10 (security/authorization) with severity 6 (informational) for a success and
// 4 (warning) for a failure. The JSON is record_json_line(): PHI-free, with seq and hashes, so
// the collector holds an independent copy of the chain. 32473 is the documentation enterprise
// number of RFC 5612.
// Thread-safety: a free function.
#pragma once

#include <string>
#include <string_view>

#include "store/audit_log.h"

namespace arca::audit {

std::string syslog_frame(const store::AuditRecord& record, std::string_view hostname);

}  // namespace arca::audit
