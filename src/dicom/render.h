// Rendering of one frame of a stored object to a consumer image (PS3.18 §8.3.5 "rendered" and
// thumbnail resources): DCMTK's image module applies the modality and VOI transformations (the
// requested window, else the object's first window, else the pixel range), scales to fit the
// viewport keeping the aspect ratio, and encodes JPEG in memory (no temporary files). Compressed
// pixel data is decoded with the decoders init_dcmtk() registers (JPEG, JPEG-LS, RLE, JPEG 2000).
// Errors: kNotFound (no pixel data or no such frame), kUnsupportedTransferSyntax (no decoder),
// kUnsupported (an image DCMTK cannot render), kInvalidDicom.
// Thread-safety: free function without shared state.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom {

struct RenderOptions {
  std::uint32_t frame = 1;      // from 1
  std::uint32_t max_width = 0;  // 0: the image's own size
  std::uint32_t max_height = 0;
  int quality = 90;  // JPEG quality 1..100
  std::optional<double> window_center;
  std::optional<double> window_width;
};

Result<Bytes> render_jpeg(ByteView part10, const RenderOptions& options);

}  // namespace arca::dicom
