// Small JPEG and PNG photos encoded in memory with libjpeg-turbo and libpng, for the document
// tests (the code under test decodes them with the same libraries, which is the point: real
// files, not fixtures typed by hand).
#pragma once

// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on
#include <png.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/bytes.h"

namespace arca::dicom::testing {

// A width x height gradient: RGB when colour, else gray.
inline Bytes gradient(int width, int height, bool colour) {
  const int channels = colour ? 3 : 1;
  Bytes pixels(static_cast<std::size_t>(width * height * channels));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c)
        pixels[static_cast<std::size_t>((y * width + x) * channels + c)] =
            static_cast<std::uint8_t>((x * 8 + y * 4 + c * 60) & 0xFF);
  return pixels;
}

inline Bytes encode_png(int width, int height, bool colour) {
  Bytes pixels = gradient(width, height, colour);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
  Bytes out(size);
  png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr);
  out.resize(size);
  return out;
}

inline Bytes encode_jpeg(int width, int height, bool colour, bool progressive = false) {
  Bytes pixels = gradient(width, height, colour);
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = colour ? 3 : 1;
  cinfo.in_color_space = colour ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 90, TRUE);
  if (progressive)
    jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  const int stride = width * cinfo.input_components;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = pixels.data() +
                   static_cast<std::size_t>(cinfo.next_scanline) * static_cast<std::size_t>(stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

inline Bytes tiny_pdf() {
  const char* text =
      "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
      "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
      "trailer<</Root 1 0 R>>\n%%EOF\n";
  return Bytes(text, text + std::strlen(text));
}

}  // namespace arca::dicom::testing
