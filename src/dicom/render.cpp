#include "dicom/render.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmimage/diregist.h>  // registers colour image support (DCMTK's own static)
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/dipijpeg.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "dicom/htj2k.h"
#include "dicom/stored_object.h"

namespace arca::dicom {
namespace {

void apply_window(DicomImage& image, const RenderOptions& o) {
  if (!image.isMonochrome())
    return;
  if (o.window_center && o.window_width && *o.window_width > 0)
    image.setWindow(*o.window_center, *o.window_width);
  else if (image.getWindowCount() > 0)
    image.setWindow(0);
  else
    image.setMinMaxWindow();
}

// The image scaled down to fit max_width x max_height, keeping its aspect ratio; null when no
// scaling is needed.
std::unique_ptr<DicomImage> fit(const DicomImage& image, const RenderOptions& o) {
  const double w = static_cast<double>(image.getWidth());
  const double h = static_cast<double>(image.getHeight());
  double scale = 1.0;
  if (o.max_width > 0 && w > o.max_width)
    scale = std::min(scale, o.max_width / w);
  if (o.max_height > 0 && h > o.max_height)
    scale = std::min(scale, o.max_height / h);
  if (scale >= 1.0)
    return nullptr;
  const auto nw = static_cast<unsigned long>(std::max(1.0, w * scale));
  const auto nh = static_cast<unsigned long>(std::max(1.0, h * scale));
  return std::unique_ptr<DicomImage>(image.createScaledImage(nw, nh, 1, 0));
}

Result<Bytes> encode_jpeg(DicomImage& image, int quality) {
  DiJPEGPlugin plugin;
  plugin.setQuality(static_cast<unsigned int>(std::clamp(quality, 1, 100)));
  plugin.setSampling(ESS_422);
  char* buffer = nullptr;
  std::size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);  // in memory: rendered pixels are PHI
  if (out == nullptr)
    return make_error(ErrorCode::kInternal, "cannot open a memory stream");
  const int written = image.writePluginFormat(&plugin, out, 0);
  std::fclose(out);
  std::unique_ptr<char, decltype(&std::free)> owned(buffer, &std::free);
  if (!written)
    return make_error(ErrorCode::kUnsupported, "the image cannot be encoded as JPEG");
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(buffer);
  return Bytes(bytes, bytes + size);
}

}  // namespace

Result<Bytes> render_jpeg(ByteView part10, const RenderOptions& options) {
  return detail::guarded([&]() -> Result<Bytes> {
    auto file = ARCA_TRY(detail::load_stored_object(part10));
    DcmDataset* ds = file->getDataset();
    if (!ds->tagExists(DCM_PixelData))
      return make_error(ErrorCode::kNotFound, "the instance has no pixel data");
    Sint32 frames = 1;
    if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1)
      frames = 1;
    if (options.frame < 1 || options.frame > static_cast<std::uint32_t>(frames))
      return make_error(ErrorCode::kNotFound, "no such frame");
    if (detail::is_htj2k(detail::stored_transfer_syntax(*file)))
      ARCA_TRY(detail::decode_htj2k(*file));  // DCMTK has no HTJ2K codec: OpenJPEG decodes it
    DicomImage image(ds, ds->getOriginalXfer(), CIF_UsePartialAccessToPixelData, options.frame - 1,
                     1);
    if (image.getStatus() == EIS_NotSupportedValue || image.getStatus() == EIS_InvalidValue)
      return make_error(ErrorCode::kUnsupportedTransferSyntax, "the pixel data cannot be decoded");
    if (image.getStatus() != EIS_Normal)
      return make_error(ErrorCode::kUnsupported, "the image cannot be rendered");
    apply_window(image, options);
    std::unique_ptr<DicomImage> scaled = fit(image, options);
    return encode_jpeg(scaled ? *scaled : image, options.quality);
  });
}

}  // namespace arca::dicom
