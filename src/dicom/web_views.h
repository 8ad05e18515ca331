// Views of a stored Part-10 object that DICOMweb serves (PS3.18 §8.7, §F.2): its data set in the
// DICOM JSON model and its frames' pixel data. DCMTK stays behind this header.
//
// metadata_json: the data set (without file meta information) as one DICOM JSON object, string
// values converted to UTF-8 when DCMTK can, and the large binary values (pixel data, waveform,
// overlay data, encapsulated documents) written as "BulkDataURI": bulk_base + "/bulk/" + tag,
// so clients get a path relative to the server's own origin.
//
// frames: the pixel data of frames numbered from 1. Native (uncompressed) pixel data comes back
// little endian, whatever the stored byte order or deflate, with the transfer syntax stated as
// Explicit VR Little Endian; encapsulated pixel data comes back as stored (one fragment per
// frame, or a single-frame object's fragments joined) with its own transfer syntax and media
// type; with FrameSyntax::kUncompressed encapsulated pixel data is decoded first (JPEG, JPEG-LS,
// RLE, JPEG 2000: the decoders init_dcmtk() registers; HTJ2K through OpenJPEG, see htj2k.h).
// Errors: kNotFound (no pixel data, or a frame number out of range), kUnsupported (bit depths
// below 8 or a fragment layout Arca cannot split yet), kUnsupportedTransferSyntax (no decoder for
// the stored syntax), kInvalidDicom (including a codestream that does not decode).
//
// to_explicit_little_endian: the whole object re-encoded (decoded if compressed) in Explicit VR
// Little Endian, for a retrieve that asks for that transfer syntax; same errors.
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom {

Result<std::string> metadata_json(ByteView part10, std::string_view bulk_base);

// The same from the first bytes of an object, parsed up to Pixel Data (which is then described
// by its BulkDataURI without being read; elements after it are left out). nullopt: the prefix
// ends before Pixel Data, read more and call again; complete: the prefix is the whole object.
Result<std::optional<std::string>> metadata_json_from_prefix(ByteView prefix, bool complete,
                                                             std::string_view bulk_base);

struct Frames {
  std::string transfer_syntax;  // of the returned bytes
  std::string media_type;       // "application/octet-stream", "image/jpeg", ...
  std::vector<Bytes> frames;    // in the order asked for
};

enum class FrameSyntax { kAsStored, kUncompressed };

Result<Frames> frames(ByteView part10, const std::vector<std::uint32_t>& numbers,
                      FrameSyntax syntax);

// Where the frames of native little-endian pixel data lie inside the object, found from its
// first bytes, so a frame is read without the rest. nullopt: the prefix ends before the Pixel
// Data header, read more; complete: the prefix is the whole object. kUnsupported when the object
// is not laid out that way (encapsulated, big endian, deflated, under 8 bits allocated, pixel
// data shorter than its frames): read it whole and use frames().
struct NativeLayout {
  std::uint64_t offset = 0;      // of frame 1's first byte
  std::uint64_t frame_size = 0;  // bytes
  std::uint32_t frames = 1;
  std::uint64_t value_length = 0;  // of the Pixel Data element (frames plus any padding)
};
Result<std::optional<NativeLayout>> native_layout(ByteView prefix, bool complete);

inline constexpr std::string_view kExplicitVrLittleEndian = "1.2.840.10008.1.2.1";

Result<Bytes> to_explicit_little_endian(ByteView part10);

// The value of a top-level element (the target of a BulkDataURI), little endian. kNotFound when
// the object has no such element; kUnsupported for encapsulated pixel data (use frames()).
Result<Bytes> bulk_value(ByteView part10, std::uint32_t tag);

}  // namespace arca::dicom
