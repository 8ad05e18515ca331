// Process-wide DCMTK set-up. DCMTK keeps its logger configuration and data dictionary in
// globals of its own; this is the one place Arca touches them.
//
// init_dcmtk() silences DCMTK's logger (it would otherwise print a warning to stderr for every
// odd object it reads; our errors carry their own PHI-free messages), loads the data
// dictionary and registers the JPEG, JPEG-LS, RLE and JPEG 2000 decoders (sending compressed
// objects to peers that accept only uncompressed ones). app/ calls it once at start-up before any
// other arca::dicom function; calling it again is harmless (idempotent, thread-safe).
#pragma once

namespace arca::dicom {

void init_dcmtk();

// True when DCMTK's data dictionary is loaded (it is read from /usr/share/libdcmtk17/ or
// DCMDICTPATH); without it tags cannot be resolved and parse_part10 refuses to work.
bool dcmtk_dictionary_loaded();

}  // namespace arca::dicom
