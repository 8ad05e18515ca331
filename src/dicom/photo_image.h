// Photos (JPEG, PNG) that a user attaches to a study, read for a Secondary Capture object.
// Untrusted input: each photo is decoded completely (libjpeg-turbo, libpng), so a truncated or
// corrupt file is refused with a reason (kInvalidArgument) instead of being stored. A baseline
// JPEG in YCbCr, RGB or grayscale is kept as it is (encapsulated as JPEG Baseline, no second
// lossy step); any other JPEG and every PNG become native 8-bit pixels (gray or RGB, alpha
// composited onto white).
// Thread-safety: the functions are thread-safe (no shared state).
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom {

enum class Photometric { kMonochrome2, kRgb, kYbrFull, kYbrFull422 };

struct PhotoPixels {
  std::uint32_t rows = 0;
  std::uint32_t columns = 0;
  std::uint16_t samples_per_pixel = 1;  // 1 (gray) or 3 (colour), interleaved
  Photometric photometric = Photometric::kMonochrome2;
  bool jpeg_baseline = false;  // data: the JPEG file as given; otherwise native pixels
  Bytes data;
};

// At most this many pixels (50 megapixels: 150 MB of RGB) are decoded.
inline constexpr std::uint64_t kMaxPhotoPixels = 50'000'000;

// A JPEG file: kInvalidArgument when it is not a complete, decodable JPEG or is CMYK.
Result<PhotoPixels> read_jpeg(ByteView jpeg);
// A PNG file: kInvalidArgument when it is not a complete, decodable PNG.
Result<PhotoPixels> read_png(ByteView png);

}  // namespace arca::dicom
