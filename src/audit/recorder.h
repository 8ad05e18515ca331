// AuditRecorder: where service/ sends every audit event. The tamper-evident, hash-chained
// recorder stored in the index arrives with the audit issue; until then app/ wires
// LogAuditRecorder, which writes each event as one PHI-free JSON line to the log.
// Thread-safety: implementations must be thread-safe.
#pragma once

#include "audit/event.h"
#include "core/logger.h"
#include "core/result.h"

namespace arca::audit {

class AuditRecorder {
 public:
  virtual ~AuditRecorder() = default;
  // Fails when the event cannot be recorded; callers treat that as a failed access.
  virtual Result<void> record(const AuditEvent& event) = 0;
};

class LogAuditRecorder final : public AuditRecorder {
 public:
  explicit LogAuditRecorder(Logger& logger) : logger_(logger) {}
  Result<void> record(const AuditEvent& event) override {
    logger_.info("audit " + to_json_line(event));
    return ok();
  }

 private:
  Logger& logger_;
};

}  // namespace arca::audit
