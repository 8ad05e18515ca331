// The one authorization check of service/: deny unless the principal holds the permission.
#pragma once

#include "core/result.h"
#include "service/request_context.h"

namespace arca::service {

inline Result<void> authorize(const RequestContext& ctx, Permission permission) {
  if (!ctx.principal.may(permission)) {
    return make_error(ErrorCode::kPermissionDenied,
                      std::string("requires ") + std::string(permission_name(permission)));
  }
  return ok();
}

// The permission, and the study inside the principal's study scope. A study outside the scope
// is answered exactly like a study that does not exist, so the answer leaks nothing.
inline Result<void> authorize_study(const RequestContext& ctx, Permission permission,
                                    const StudyUid& study) {
  ARCA_TRY(authorize(ctx, permission));
  if (!ctx.principal.sees_study(study))
    return make_error(ErrorCode::kNotFound, "no such study");
  return ok();
}

}  // namespace arca::service
