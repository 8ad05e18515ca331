// The DICOM Audit Message export of stored audit records (DICOM PS3.15 A.5, the IHE ATNA
// schema; docs/formats/dicom-audit-message.rng): one <AuditMessage> per record, on one line.
//   - EventIdentification: the action as a DCM event (store and retrieve: 110104 DICOM Instances
//     Transferred, C or R; transfer_begin: 110102 Begin Transferring DICOM Instances; export
//     and share: 110106 Export; query: 110112 Query; login/logout:
//     110114 User Authentication with 110122/110123; delete/erase: 110105 DICOM Study Deleted;
//     admin: 110113 Security Alert; audit_read: 110101 Audit Log Used), its time, and the
//     outcome (0 success, 4 refused for permission or authentication, 8 other failures).
//   - ActiveParticipant: the actor (requestor, with its network address) and Arca itself.
//   - AuditSourceIdentification: Arca, with the tenant as the enterprise site.
//   - ParticipantObjectIdentification: each patient (the PatientRef keyed hash as the id, never
//     the patient id or name) and each study (its UID, with the record's seq and hash as details
//     so an exported message can be matched against the chain).
// Thread-safety: a free function.
#pragma once

#include <string>

#include "store/audit_log.h"

namespace arca::audit {

struct AuditSource {
  std::string id = "arca";  // AuditSourceID, e.g. the AE title or host name
};

std::string dicom_audit_message(const store::AuditRecord& record, const AuditSource& source);

}  // namespace arca::audit
