// New DICOM UIDs for objects Arca creates itself (clinical documents attached to a study).
// Arca has no registered UID root: like its Implementation Class UID, each new UID is a
// UUID-derived UID under the root 2.25 (PS3.5 B.2, ISO/IEC 9834-8): a random (version 4) UUID
// written as one decimal integer, at most 39 digits, so at most 44 characters.
// Thread-safety: as thread-safe as the Random passed in.
#pragma once

#include <string>

#include "core/random.h"

namespace arca {

std::string new_uuid_uid(Random& random);

}  // namespace arca
