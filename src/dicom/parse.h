// Parsing and validation of DICOM Part-10 objects (PS3.10 files held in memory), and extraction
// of the attributes Arca indexes. This is the only entry point through which untrusted DICOM
// bytes reach the rest of Arca; DCMTK stays behind it (no DCMTK type or exception escapes).
//
// parse_part10 accepts an object only if:
//   - it starts with the 128-byte preamble and "DICM";
//   - its file meta information is readable and holds Media Storage SOP Class UID, Media Storage
//     SOP Instance UID and Transfer Syntax UID (kInvalidDicom otherwise);
//   - the transfer syntax is one DCMTK knows (kUnsupportedTransferSyntax otherwise);
//   - the data set parses completely up to the last byte: a truncated object is rejected with
//     kInvalidDicom and a message containing "truncated", also inside Pixel Data;
//   - SOP Class, SOP Instance, Study Instance and Series Instance UID are present and valid
//     (is_valid_uid), and the SOP Instance UID equals the Media Storage SOP Instance UID.
// Error messages name the failed rule and never carry PHI (no names, ids or dates).
//
// Call init_dcmtk() (dicom/dcmtk_init.h) once at start-up before the first parse.
// Thread-safety: parse_part10 and looks_like_part10 are thread-safe (no shared mutable state
// besides DCMTK's internally locked data dictionary).
#pragma once

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "domain/instance_attributes.h"

namespace arca::dicom {

struct ParsedInstance {
  // Every field the object has, strings decoded to UTF-8 (see dicom/text_decoder.h for the
  // normalisation applied).
  IndexAttributes attributes;
};

// Parses and validates one Part-10 object held in memory. Never writes temporary files.
Result<ParsedInstance> parse_part10(ByteView part10);

// Size of the Part-10 preamble plus the "DICM" prefix.
inline constexpr std::size_t kPart10PrefixSize = 132;

// True when prefix (at least the first 132 bytes of an object) has the "DICM" magic at offset
// 128. A cheap sniff for importers; it does not validate anything else.
bool looks_like_part10(ByteView prefix);

// The patient named by the first bytes of a Part-10 object, once they reach past Patient ID and
// Issuer of Patient ID ((0010,0020), (0010,0021)): lets ingest pick the patient's key while the
// rest of the object is still arriving. nullopt while the bytes end before that point or do not
// parse that far. A hint only: the full parse decides (IngestService checks that it names the
// same patient).
struct PatientIdentity {
  std::string issuer;
  std::string id;
};
std::optional<PatientIdentity> patient_of_prefix(ByteView prefix);

// True when the object is a DICOMDIR (Media Storage SOP Class 1.2.840.10008.1.3.10): a media
// directory that lists instances, not an instance to store. parse_part10 rejects it.
bool is_media_directory(ByteView part10);

// The Media Storage SOP Instance UID (0002,0003) of an object's file meta information, read from
// a prefix holding at least the whole meta group; nullopt if it does not read.
std::optional<std::string> media_storage_sop_instance_uid(ByteView prefix);

}  // namespace arca::dicom
