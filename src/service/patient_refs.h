// PatientRefs: turns a patient's identity into the opaque PatientRef that scopes keys and
// appears in audit records (a keyed hash; see store/encrypted/key_hierarchy.h).
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <string_view>

#include "domain/ids.h"

namespace arca::service {

class PatientRefs {
 public:
  virtual ~PatientRefs() = default;
  virtual PatientRef ref(const TenantId& tenant, std::string_view issuer,
                         std::string_view patient_id) const = 0;
};

}  // namespace arca::service
