// Fuzz target: re-encoding a stored object in Explicit VR Little Endian, which decodes JPEG,
// JPEG-LS, RLE, JPEG 2000 and HTJ2K pixel data (DCMTK's codecs and Arca's OpenJPEG decoder;
// the HTJ2K seeds are the fixtures in tests/data). The objects come from peers and clients, so
// the decoders see untrusted bytes (STYLE rule 13).
// Any input must yield a value or an Error: no crash, hang, leak or undefined behaviour.
#include <cstddef>
#include <cstdint>

#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"
#include "dicom/web_views.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arca::dicom::init_dcmtk();
  arca::ByteView input(data, size);
  // Only what ingest accepted is ever stored, and so ever re-encoded.
  if (!arca::dicom::parse_part10(input).ok())
    return 0;
  auto converted = arca::dicom::to_explicit_little_endian(input);
  (void)converted;
  return 0;
}
