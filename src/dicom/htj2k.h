// HTJ2K objects (High-Throughput JPEG 2000, PS3.5 §A.4.11: 1.2.840.10008.1.2.4.201 lossless,
// .202 RPCL lossless, .203 lossless or lossy) under DCMTK 3.6.7, which does not know these
// transfer syntaxes. DCMTK still reads such an object: it finds the data set in Explicit VR
// Little Endian (which HTJ2K uses) and keeps the undefined-length Pixel Data as a pixel
// sequence, but files that sequence under Explicit VR Little Endian, where no DCMTK codec can
// decode it and any attempt to write the object in that syntax fails. So every view that needs
// the stored syntax or the pixels asks here first: the syntax comes from the file meta
// information, and decoding goes through OpenJPEG (j2k_pixels.h), outside DCMTK's codec list.
// Internal to src/dicom (it exposes DCMTK types).
// Thread-safety: free functions without shared state.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace arca::dicom::detail {

bool is_htj2k(std::string_view transfer_syntax);

// The Transfer Syntax UID the file meta information names ("" when there is none).
std::string stored_transfer_syntax(DcmFileFormat& file);

// The pixel sequence DCMTK read for encapsulated Pixel Data, whatever syntax it filed it under;
// nullptr when the pixel data is native.
DcmPixelSequence* original_pixel_sequence(DcmPixelData& pixels);

// Replaces the HTJ2K Pixel Data of `file` with the decoded native pixels (all frames; see
// decode_j2k_pixels for the layout and the Photometric Interpretation), after which the data
// set reads, renders and writes like any Explicit VR Little Endian object. Lossless streams
// (.201, .202, and .203 when encoded reversibly) give back the source pixels exactly.
// Errors: kNotFound (no Pixel Data), kInvalidDicom (native pixel data under an HTJ2K syntax, or
// a damaged codestream), kUnsupported (a shape the decoder does not handle: bits allocated
// other than 8 or 16, a component count that differs from Samples per Pixel, frames spanning
// several fragments).
Result<void> decode_htj2k(DcmFileFormat& file);

}  // namespace arca::dicom::detail
