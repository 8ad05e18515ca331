// `arca export --study UID --out DIR` and `arca check`.
#pragma once

#include <filesystem>
#include <iosfwd>

#include "app/archive.h"

namespace arca::app {

// Writes each instance of the study as DIR/<SOP Instance UID>.dcm, byte-identical to what was
// received; a damaged instance is reported and not written. Exit code 0, or 1 on any failure.
int run_export(Archive& archive, const StudyUid& study, const std::filesystem::path& out_dir,
               std::ostream& out, std::ostream& err);

// Verifies every instance (decrypts, authenticates, matches its index row). Exit code 0 when
// clean, 1 when any instance is damaged (each reported by UID).
int run_check(Archive& archive, bool json, std::ostream& out, std::ostream& err);

}  // namespace arca::app
