// How use cases fill in their audit events: the actor, tenant, client and request come from the
// RequestContext, the time from the injected Clock, the outcome from the use case's result.
#pragma once

#include <algorithm>
#include <string_view>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/request_context.h"
#include "store/index.h"

namespace arca::service {

inline audit::AuditEvent audit_event(const RequestContext& ctx, AuditAction action,
                                     const Clock& clock) {
  audit::AuditEvent event;
  event.time = clock.now();
  event.actor = ctx.principal.id;
  event.tenant = ctx.principal.tenant;
  event.action = action;
  event.client_address = ctx.client_address;
  event.request_id = ctx.request_id;
  event.user_agent = ctx.user_agent;
  return event;
}

// Appends `value` to one of an event's lists (studies, patients, ...) unless it is there.
template <typename T>
void add_unique(std::vector<T>& list, const T& value) {
  if (std::find(list.begin(), list.end(), value) == list.end())
    list.push_back(value);
}

// Names a stored instance in the event: its study and patient once each, the instance itself.
inline void add_instance(audit::AuditEvent& event, const store::StoredInstance& row) {
  add_unique(event.studies, row.attributes.study.study_uid);
  event.instances.push_back(row.attributes.instance.sop_instance_uid);
  add_unique(event.patients, row.patient_ref);
}

// Success, or failure with the error's catalogue name.
inline void set_outcome(audit::AuditEvent& event, const Error* error) {
  event.outcome = error == nullptr ? audit::Outcome::kSuccess : audit::Outcome::kFailure;
  if (error != nullptr)
    event.error_code = std::string(error_code_name(error->code));
}

// A store the archive records by itself at startup for an instance row ("system" actor): one
// recovered into the trail, or one taken back. `error` null: success.
inline audit::AuditEvent system_store_event(const store::StoredInstance& row, const Clock& clock,
                                            std::string_view detail, const Error* error) {
  audit::AuditEvent e;
  e.time = clock.now();
  e.actor = "system";
  e.tenant = row.tenant;
  e.action = AuditAction::kStore;
  set_outcome(e, error);
  e.detail = std::string(detail);
  e.patients.push_back(row.patient_ref);
  e.studies.push_back(row.attributes.study.study_uid);
  e.series.push_back(row.attributes.series.series_uid);
  e.instances.push_back(row.attributes.instance.sop_instance_uid);
  return e;
}

// Records the event; if it cannot be recorded, logs why and fails with kUnavailable so the
// use case refuses the access (fail closed, DESIGN §6).
inline Result<void> record_or_refuse(audit::AuditRecorder& recorder, const audit::AuditEvent& event,
                                     Logger& logger) {
  auto recorded = recorder.record(event);
  if (!recorded.ok()) {
    logger.error("audit record failed: " + recorded.error().to_string());
    return make_error(ErrorCode::kUnavailable, "audit trail unavailable");
  }
  return ok();
}

// A request refused before it reached a use case (the route's permission, or a sign-in still
// owing steps): recorded as a failed access of the route's action, so probing is visible.
inline Result<void> record_refusal(audit::AuditRecorder& recorder, const Clock& clock,
                                   Logger& logger, const RequestContext& ctx, AuditAction action,
                                   const Error& error, std::string detail) {
  audit::AuditEvent event = audit_event(ctx, action, clock);
  event.detail = std::move(detail);
  set_outcome(event, &error);
  return record_or_refuse(recorder, event, logger);
}

}  // namespace arca::service
