// `arca audit verify`, `arca audit export` and `arca audit prune` (DESIGN §6, §7).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>

#include "app/archive.h"

namespace arca::app {

// Walks the chain and the signed checkpoints. Exit code 0 when intact, 1 when a link is broken
// (the first one is reported, naming its record) or the trail cannot be read.
int run_audit_verify(Archive& archive, bool json, std::ostream& out, std::ostream& err);

enum class AuditExportFormat { kJsonl, kDicom };

struct AuditExportRequest {
  std::int64_t from_ms = 0;                                       // inclusive
  std::int64_t to_ms = std::numeric_limits<std::int64_t>::max();  // exclusive
  AuditExportFormat format = AuditExportFormat::kJsonl;
};

// "2026-11-28", "2026-11-28T10:15", "2026-11-28T10:15:30" or with a trailing "Z" (UTC): Unix
// milliseconds; nullopt if malformed.
std::optional<std::int64_t> parse_utc_time(std::string_view text);

// Records the export (audit_read) first, refusing if it cannot be recorded; then writes the
// records in [from, to) to `out`, one per line: a JSON object (jsonl) or a DICOM
// Audit Message (dicom, PS3.15 A.5; AuditSourceID is Arca's AE title). Exit code 0, or 1 if the
// trail cannot be read.
int run_audit_export(Archive& archive, const AuditExportRequest& request, std::ostream& out,
                     std::ostream& err);

// Removes the whole signed segments older than `[audit] retention_days`, recording that it did.
// Exit code 0 (also when nothing has expired), or 1 on failure.
int run_audit_prune(Archive& archive, bool json, std::ostream& out, std::ostream& err);

}  // namespace arca::app
