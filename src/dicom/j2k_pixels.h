// Decoding a whole JPEG 2000 or HTJ2K pixel sequence with OpenJPEG (DESIGN §3), shared by the
// DCMTK codec (j2k_decoder.h: JPEG 2000, which DCMTK knows) and the HTJ2K path (htj2k.h: syntaxes
// DCMTK 3.6.7 does not know). OpenJPEG 2.5 decodes both: HTJ2K (Part 15) codestreams announce
// themselves with a CAP marker and OpenJPEG's HT block decoder reads them.
// Internal to src/dicom (it exposes DCMTK types).
// Thread-safety: no shared state.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcvrpobw.h>

namespace arca::dicom::detail {

// Decodes every frame of `seq` (the encapsulated Pixel Data of `item`: one fragment per frame,
// or a single frame's fragments) into `pixels` as native data: 8 or 16 bits allocated, colour
// interleaved, 16-bit values in host order as DCMTK keeps OW. Sets `item`'s Photometric
// Interpretation to what was decoded (YBR_ICT and YBR_RCT become RGB; OpenJPEG undoes the
// component transform) and Planar Configuration to 0 for colour. EC_CannotChangeRepresentation
// when the object's shape is one this decoder does not handle, EC_CorruptedData for a damaged
// codestream.
OFCondition decode_j2k_pixels(DcmItem& item, DcmPixelSequence& seq, DcmPolymorphOBOW& pixels);

}  // namespace arca::dicom::detail
