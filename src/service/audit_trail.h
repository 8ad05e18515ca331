// How use cases fill in their audit events: the actor, tenant, client and request come from the
// RequestContext, the time from the injected Clock, the outcome from the use case's result.
#pragma once

#include "audit/event.h"
#include "core/clock.h"
#include "service/request_context.h"

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
  return event;
}

// Success, or failure with the error's catalogue name.
inline void set_outcome(audit::AuditEvent& event, const Error* error) {
  event.outcome = error == nullptr ? audit::Outcome::kSuccess : audit::Outcome::kFailure;
  if (error != nullptr)
    event.error_code = std::string(error_code_name(error->code));
}

}  // namespace arca::service
