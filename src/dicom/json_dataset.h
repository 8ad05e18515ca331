// Building Part-10 objects from the DICOM JSON model (PS3.18 Annex F), for STOW-RS of
// application/dicom+json with bulk data parts. DCMTK 3.6.7 writes DICOM JSON but cannot read it,
// so the JSON is parsed here (nlohmann-json, private to this file) and each attribute is put into
// a DCMTK data set, which is then written in Explicit VR Little Endian with the file meta
// information DCMTK derives from it. The result goes through ingest like any other Part-10 object.
//
// Values: strings and numbers per VR (IS/DS from JSON numbers or strings), PN from its
// Alphabetic/Ideographic/Phonetic groups, AT as eight hex digits, SQ items recursively, binary
// VRs (OB, OW, OF, OD, OL, UN) from InlineBinary (base64) or a BulkDataURI that the caller
// resolves (the request's other parts, by Content-Location). Group 0002 in the JSON is ignored.
// JSON text is UTF-8: when a value is not ASCII and the data set does not already declare
// ISO_IR 192, SpecificCharacterSet is set to it and the instance is reported as coerced.
// Pixel Data must be native (a bulk part of application/octet-stream): compressed pixel data is
// kUnsupported.
// Thread-safety: free functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom {

struct BulkValue {
  ByteView bytes;
  std::string media_type;  // of the part that carried it, without parameters
};
// The value a BulkDataURI names, or nullopt when the request has no such part.
using BulkResolver = std::function<std::optional<BulkValue>(std::string_view uri)>;

struct BuiltInstance {
  Bytes part10;
  bool coerced = false;  // Arca changed or added an attribute (SpecificCharacterSet)
};

// Each data set of a DICOM JSON array, built on its own, so one bad data set fails alone
// (kInvalidDicom with the reason, kUnsupported for compressed pixel data). kInvalidArgument
// when `json` is not a JSON array of objects.
Result<std::vector<Result<BuiltInstance>>> part10_from_dicom_json(std::string_view json,
                                                                  const BulkResolver& resolve);

}  // namespace arca::dicom
