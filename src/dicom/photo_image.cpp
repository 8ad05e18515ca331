#include "dicom/photo_image.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
// clang-format on
#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>

namespace arca::dicom {
namespace {

// libjpeg reports errors through a callback that must not return: it jumps back to read_jpeg.
// Warnings (corrupt data that libjpeg would paper over with grey) are errors here too.
struct JpegErrors {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_jpeg_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

void on_jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0)  // a warning: the data is damaged
    on_jpeg_error(cinfo);
}

// The first start-of-frame marker's second byte (0xC0 baseline, 0xC1 extended, 0xC2
// progressive, ...), or 0 if the marker segments end before one.
std::uint8_t first_sof(ByteView jpeg) {
  std::size_t i = 2;  // after SOI
  while (i + 4 <= jpeg.size()) {
    if (jpeg[i] != 0xFF)
      return 0;
    const std::uint8_t marker = jpeg[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof)
      return marker;
    const std::size_t length = (std::size_t{jpeg[i + 2]} << 8) | jpeg[i + 3];
    i += 2 + length;
  }
  return 0;
}

Error bad_photo(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, what);
}

Photometric ycbcr_photometric(const jpeg_decompress_struct& cinfo) {
  const bool subsampled = cinfo.comp_info[0].h_samp_factor != cinfo.comp_info[1].h_samp_factor ||
                          cinfo.comp_info[0].v_samp_factor != cinfo.comp_info[1].v_samp_factor;
  return subsampled ? Photometric::kYbrFull422 : Photometric::kYbrFull;
}

// Decodes the whole image (which is what validates it) and fills `out`. Only trivially
// destructible locals live between setjmp and the calls that may jump back to it.
Result<void> decode_jpeg(ByteView jpeg, PhotoPixels& out) {
  jpeg_decompress_struct cinfo;
  JpegErrors errors;
  cinfo.err = jpeg_std_error(&errors.pub);
  errors.pub.error_exit = on_jpeg_error;
  errors.pub.emit_message = on_jpeg_message;
  errors.message[0] = '\0';
  if (setjmp(errors.jump) != 0) {
    jpeg_destroy_decompress(&cinfo);
    return bad_photo(std::string("the JPEG file is damaged or incomplete (") + errors.message +
                     ")");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
  (void)jpeg_read_header(&cinfo, TRUE);
  const J_COLOR_SPACE space = cinfo.jpeg_color_space;
  if (space == JCS_CMYK || space == JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return bad_photo("CMYK JPEG photos are not supported: save the photo as RGB");
  }
  const std::uint64_t pixels = std::uint64_t{cinfo.image_width} * cinfo.image_height;
  if (pixels == 0 || pixels > kMaxPhotoPixels) {
    jpeg_destroy_decompress(&cinfo);
    return make_error(ErrorCode::kTooLarge, "the photo has more than 50 megapixels");
  }
  const bool gray = space == JCS_GRAYSCALE;
  const bool keep = first_sof(jpeg) == 0xC0 && cinfo.data_precision == 8 &&
                    (gray || space == JCS_YCbCr || space == JCS_RGB);
  // Read while the header's component info is alive (jpeg_finish_decompress frees it).
  const Photometric kept_photometric =
      keep && space == JCS_YCbCr ? ycbcr_photometric(cinfo) : Photometric::kRgb;
  cinfo.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
  (void)jpeg_start_decompress(&cinfo);
  const std::size_t stride = std::size_t{cinfo.output_width} * cinfo.output_components;
  out.data.resize(stride * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.data.data() + stride * cinfo.output_scanline;
    (void)jpeg_read_scanlines(&cinfo, &row, 1);
  }
  (void)jpeg_finish_decompress(&cinfo);
  out.rows = cinfo.output_height;
  out.columns = cinfo.output_width;
  out.samples_per_pixel = gray ? 1 : 3;
  out.jpeg_baseline = keep;
  out.photometric = gray ? Photometric::kMonochrome2 : kept_photometric;
  jpeg_destroy_decompress(&cinfo);
  return ok();
}

}  // namespace

Result<PhotoPixels> read_jpeg(ByteView jpeg) {
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
    return bad_photo("the file is not a JPEG image");
  PhotoPixels out;
  ARCA_TRY(decode_jpeg(jpeg, out));
  if (out.jpeg_baseline)
    out.data.assign(jpeg.begin(), jpeg.end());
  return out;
}

Result<PhotoPixels> read_png(ByteView png) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, png.data(), png.size()) == 0) {
    std::string reason = image.message;
    png_image_free(&image);
    return bad_photo("the file is not a readable PNG image (" + reason + ")");
  }
  const std::uint64_t pixels = std::uint64_t{image.width} * image.height;
  if (pixels == 0 || pixels > kMaxPhotoPixels) {
    png_image_free(&image);
    return make_error(ErrorCode::kTooLarge, "the photo has more than 50 megapixels");
  }
  const bool colour = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  image.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  PhotoPixels out;
  out.data.resize(PNG_IMAGE_SIZE(image));
  png_color white{255, 255, 255};
  if (png_image_finish_read(&image, &white, out.data.data(), 0, nullptr) == 0) {
    std::string reason = image.message;
    png_image_free(&image);
    return bad_photo("the PNG image is damaged or incomplete (" + reason + ")");
  }
  out.rows = image.height;
  out.columns = image.width;
  out.samples_per_pixel = colour ? 3 : 1;
  out.photometric = colour ? Photometric::kRgb : Photometric::kMonochrome2;
  png_image_free(&image);
  return out;
}

}  // namespace arca::dicom
