#include "dicom/stored_object.h"

#include <dcmtk/dcmdata/dcistrmb.h>

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

}  // namespace arca::dicom::detail
