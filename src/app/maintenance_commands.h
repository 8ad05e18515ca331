// `arca export --study UID --out DIR`, `arca send --study UID --to AE`,
// `arca retrieve --from AE --study UID` and `arca check`.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>

#include "app/archive.h"

namespace arca::app {

// Writes each instance of the study as DIR/<SOP Instance UID>.dcm, byte-identical to what was
// received; a damaged instance is reported and not written. Exit code 0, or 1 on any failure.
int run_export(Archive& archive, const StudyUid& study, const std::filesystem::path& out_dir,
               std::ostream& out, std::ostream& err);

// Sends each instance of the study to the peer `to` (a peer allowed to `receive`) as C-STORE
// SCU with Arca's AE title. Exit code 0, 1 on any failure (each failed instance reported).
int run_send(Archive& archive, const StudyUid& study, const std::string& to, std::ostream& out,
             std::ostream& err);

// A study on a DICOM peer, for `arca retrieve --from AE --study UID`.
struct RemoteStudy {
  StudyUid study;
  std::string peer_ae;
};

// Pulls the study from the peer with C-GET and stores it like a C-STORE from that peer. Exit
// code 0 when the peer reports every sub-operation done, 1 otherwise.
int run_retrieve(Archive& archive, Logger& logger, const RemoteStudy& remote, std::ostream& err);

// Verifies every instance (decrypts, authenticates, matches its index row). Exit code 0 when
// clean, 1 when any instance is damaged (each reported by UID).
int run_check(Archive& archive, bool json, std::ostream& out, std::ostream& err);

}  // namespace arca::app
