// AuditRecorder: where service/ sends every audit event. app/ wires ChainedAuditRecorder (the
// hash-chained trail in audit.db, chained_recorder.h); the decorators here change only what
// happens when recording fails or is switched off for a benchmark.
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "audit/event.h"
#include "core/logger.h"
#include "core/result.h"
#include "store/audit_log.h"

namespace arca::audit {

class AuditRecorder {
 public:
  virtual ~AuditRecorder() = default;
  // Fails when the event cannot be recorded; callers refuse the access (fail closed).
  virtual Result<void> record(const AuditEvent& event) = 0;
};

// One writer's turn at the end of the chain, held across an operation so that its records land
// right after it: the ingest group commit takes it, commits its index transaction, then appends
// the batch's store records, so no other record (a read of an instance just stored) can come
// between the commit and its record (docs/adr/0014). While an enlistment lives, every other
// append to the chain waits, so hold it only around one transaction, and take it before the
// transaction (the chain's turn first, then the index's lock).
class AuditEnlistment {
 public:
  virtual ~AuditEnlistment() = default;
  // Appends the events as records continuing the head (preceded by any notice the chain owes),
  // committed as record() commits them (unsynced under a sync interval, synced by the
  // recorder's timer); the head moves only if the append succeeds. Use once.
  virtual Result<void> append(const std::vector<AuditEvent>& events) = 0;
};

// Optional capability of a recorder that keeps its own chain (ChainedAuditRecorder).
class TransactionalAuditRecorder {
 public:
  virtual ~TransactionalAuditRecorder() = default;
  // Waits for the chain's writer turn. Fails (kUnavailable) once the recorder is closed.
  virtual Result<std::unique_ptr<AuditEnlistment>> enlist() = 0;
};

// Writes each event as one PHI-free JSON line to the log.
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

// `[audit] on_failure = "alert"` (every tenant) or `fail_open_tenants = [...]` (those only):
// fail open with an alert. An event of such a tenant the inner recorder could not record is
// logged at error level as a PHI-free JSON line (the alert) and the access goes ahead; other
// tenants' accesses stay refused. Only for sites that chose availability over a complete trail.
class AlertingAuditRecorder final : public AuditRecorder {
 public:
  // `tenants` empty: every tenant fails open.
  AlertingAuditRecorder(AuditRecorder& inner, Logger& logger, std::set<std::string> tenants = {})
      : inner_(inner), logger_(logger), tenants_(std::move(tenants)) {}
  Result<void> record(const AuditEvent& event) override {
    auto recorded = inner_.record(event);
    if (!recorded.ok() && !tenants_.empty() && tenants_.count(event.tenant.str()) == 0)
      return recorded;
    if (!recorded.ok()) {
      logger_.error("ALERT audit trail unavailable (" + recorded.error().to_string() +
                    "), access allowed by on_failure=alert: " + to_json_line(event));
    }
    return ok();
  }

 private:
  AuditRecorder& inner_;
  Logger& logger_;
  std::set<std::string> tenants_;
};

// `[audit] off_benchmark_only = true`: records nothing. Exists so a benchmark can measure what
// auditing costs; never for patient data.
class DisabledAuditRecorder final : public AuditRecorder {
 public:
  Result<void> record(const AuditEvent&) override { return ok(); }
};

}  // namespace arca::audit
