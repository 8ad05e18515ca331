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

}  // namespace arca::service
