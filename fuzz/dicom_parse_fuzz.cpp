// Fuzz target: parse_part10, the entry point of every untrusted DICOM byte (STYLE rule 13).
// Any input must yield a value or an Error: no crash, hang, leak or undefined behaviour.
#include <cstddef>
#include <cstdint>

#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arca::dicom::init_dcmtk();
  arca::ByteView input(data, size);
  auto parsed = arca::dicom::parse_part10(input);
  (void)parsed;
  (void)arca::dicom::is_media_directory(input);
  return 0;
}
