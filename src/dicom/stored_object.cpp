#include "dicom/stored_object.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcostrmb.h>

namespace arca::dicom::detail {

Result<std::unique_ptr<DcmFileFormat>> load_stored_object(ByteView part10) {
  auto file = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream in;
  in.setBuffer(part10.data(), static_cast<offile_off_t>(part10.size()));
  in.setEos();
  file->transferInit();
  OFCondition status = file->read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file->transferEnd();
  if (status.bad())
    return make_error(ErrorCode::kInvalidDicom, "stored object does not parse");
  return file;
}

Result<std::optional<PrefixRead>> read_until_pixel_data(ByteView prefix, bool complete) {
  PrefixRead read;
  read.file = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream in;
  in.setBuffer(prefix.data(), static_cast<offile_off_t>(prefix.size()));
  if (complete)
    in.setEos();
  read.file->transferInit();
  OFCondition status =
      read.file->readUntilTag(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, DCM_PixelData);
  read.file->transferEnd();
  if (status == EC_StreamNotifyClient && !complete)
    return std::optional<PrefixRead>();
  if (status.bad())
    return make_error(ErrorCode::kInvalidDicom, "stored object does not parse");
  read.stop = static_cast<std::size_t>(in.tell());
  read.input_left = in.avail() > 0;
  return std::optional<PrefixRead>(std::move(read));
}

Result<Bytes> write_explicit_little_endian(DcmFileFormat& file) {
  const std::size_t estimate =
      file.calcElementLength(EXS_LittleEndianExplicit, EET_ExplicitLength) + 64 * 1024;
  Bytes buffer(estimate);
  DcmOutputBufferStream out(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  file.transferInit();
  OFCondition status = file.write(out, EXS_LittleEndianExplicit, EET_ExplicitLength, nullptr,
                                  EGL_recalcGL, EPD_withoutPadding);
  file.transferEnd();
  if (status.bad())
    return make_error(ErrorCode::kInternal, "writing the object failed");
  void* data = nullptr;
  offile_off_t length = 0;
  out.flushBuffer(data, length);
  buffer.resize(static_cast<std::size_t>(length));
  return buffer;
}

}  // namespace arca::dicom::detail
