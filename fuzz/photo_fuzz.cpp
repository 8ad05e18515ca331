// Fuzz target: photos attached to studies (JPEG through libjpeg-turbo, PNG through libpng, with
// Arca's error handling around both). Each input is tried as both formats.
#include <cstddef>
#include <cstdint>

#include "dicom/photo_image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  arca::ByteView bytes(data, size);
  (void)arca::dicom::read_jpeg(bytes);
  (void)arca::dicom::read_png(bytes);
  return 0;
}
