// A JPEG 2000 decoder for DCMTK (whose free edition has none), backed by OpenJPEG (DESIGN §3).
// Registered by init_dcmtk() for JPEG 2000 (lossless only and lossy): DCMTK then decodes those
// objects into native pixel data like JPEG, JPEG-LS and RLE, for a peer or client that accepts
// only uncompressed syntaxes. Decoding only; Arca never encodes JPEG 2000.
// Each frame is one or more fragments (single-frame objects) or exactly one fragment (multi-frame
// objects); colour components come back interleaved (Planar Configuration 0), and YBR_ICT/
// YBR_RCT objects as RGB (OpenJPEG undoes the component transform).
// Thread-safety: the decoder keeps no state; DCMTK may call it from several threads.
#pragma once

namespace arca::dicom {

// Registers the decoder with DCMTK's codec list once per process; idempotent.
void register_j2k_decoder();

}  // namespace arca::dicom
