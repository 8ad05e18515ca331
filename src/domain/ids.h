// Strong ids of the domain. UIDs are DICOM UIDs (PS3.5 §9); TenantId names a tenant;
// PatientRef is an opaque, PHI-free reference to one patient within a tenant (a keyed hash of
// the patient's identity, computed in crypto), used for key scoping and audit records.
#pragma once

#include <string_view>

#include "core/strong_id.h"

namespace arca {

using TenantId = StrongId<struct TenantIdTag>;
using StudyUid = StrongId<struct StudyUidTag>;
using SeriesUid = StrongId<struct SeriesUidTag>;
using InstanceUid = StrongId<struct InstanceUidTag>;  // SOP Instance UID
using SopClassUid = StrongId<struct SopClassUidTag>;
using TransferSyntaxUid = StrongId<struct TransferSyntaxUidTag>;
using PatientRef = StrongId<struct PatientRefTag>;
using PatientId = StrongId<struct PatientIdTag>;  // (0010,0020) as sent: PHI, never logged

// PS3.5 §9.1: 1..64 characters, digits and dots, components non-empty without leading zeros.
bool is_valid_uid(std::string_view uid);

inline const TenantId& default_tenant() {
  static const TenantId kDefault("default");
  return kDefault;
}

}  // namespace arca
