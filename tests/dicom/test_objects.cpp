#include "dicom/test_objects.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace arca::dicom::testing {

std::unique_ptr<DcmFileFormat> make_object(const ObjectSpec& spec) {
  auto file = std::make_unique<DcmFileFormat>();
  DcmDataset& ds = *file->getDataset();
  if (!spec.charset.empty())
    ds.putAndInsertString(DCM_SpecificCharacterSet, spec.charset.c_str());
  ds.putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  ds.putAndInsertString(DCM_SOPInstanceUID, std::string(kSopInstanceUid).c_str());
  ds.putAndInsertString(DCM_StudyInstanceUID, std::string(kStudyUid).c_str());
  ds.putAndInsertString(DCM_SeriesInstanceUID, std::string(kSeriesUid).c_str());
  ds.putAndInsertString(DCM_PatientName, spec.patient_name.c_str());
  ds.putAndInsertString(DCM_PatientID, "PID-42");
  ds.putAndInsertString(DCM_PatientBirthDate, "19700101");
  ds.putAndInsertString(DCM_PatientSex, "F");
  ds.putAndInsertString(DCM_StudyDate, "20240131");
  ds.putAndInsertString(DCM_StudyTime, "101500.25");
  ds.putAndInsertString(DCM_AccessionNumber, "ACC7");
  ds.putAndInsertString(DCM_StudyDescription, "CT CHEST");
  ds.putAndInsertString(DCM_Modality, "CT");
  ds.putAndInsertString(DCM_SeriesNumber, "3");
  ds.putAndInsertString(DCM_InstanceNumber, "12");
  ds.putAndInsertString(DCM_BodyPartExamined, "CHEST");
  if (spec.with_pixel_data) {
    ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(spec.rows));
    ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(spec.columns));
    ds.putAndInsertUint16(DCM_BitsAllocated, 16);
    ds.putAndInsertUint16(DCM_BitsStored, 12);
    ds.putAndInsertUint16(DCM_HighBit, 11);
    ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
    ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    std::vector<Uint16> pixels(spec.rows * spec.columns);
    for (std::size_t i = 0; i < pixels.size(); ++i)
      pixels[i] = static_cast<Uint16>(i * 7 % 4096);
    ds.putAndInsertUint16Array(DCM_PixelData, pixels.data(),
                               static_cast<unsigned long>(pixels.size()));
  }
  return file;
}

Bytes write_part10(DcmFileFormat& file, E_TransferSyntax xfer, E_FileWriteMode mode,
                   E_EncodingType encoding) {
  std::size_t capacity = 1 << 16;
  if (DcmDataset* ds = file.getDataset())
    capacity += ds->calcElementLength(xfer, EET_ExplicitLength) * 2;
  std::vector<unsigned char> buffer(capacity);
  DcmOutputBufferStream out(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  file.transferInit();
  OFCondition status =
      file.write(out, xfer, encoding, nullptr, EGL_recalcGL, EPD_noChange, 0, 0, 0, mode);
  file.transferEnd();
  if (status.bad())
    throw std::runtime_error(std::string("DCMTK write failed: ") + status.text());
  out.flush();
  void* data = nullptr;
  offile_off_t length = 0;
  out.flushBuffer(data, length);
  auto* begin = static_cast<const std::uint8_t*>(data);
  return Bytes(begin, begin + length);
}

bool patch_bytes(Bytes& bytes, std::string_view from, std::string_view to, std::size_t start) {
  auto it = std::search(bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.end(),
                        from.begin(), from.end());
  if (it == bytes.end() || from.size() != to.size())
    return false;
  std::copy(to.begin(), to.end(), it);
  return true;
}

}  // namespace arca::dicom::testing
