// Builds small Part-10 objects in memory with DCMTK for the dicom tests (tests may use DCMTK
// directly; src/ code above the adapter may not).
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace arca::dicom::testing {

inline constexpr std::string_view kSopInstanceUid = "1.2.826.0.1.3680043.8.498.1001";
inline constexpr std::string_view kStudyUid = "1.2.826.0.1.3680043.8.498.2002";
inline constexpr std::string_view kSeriesUid = "1.2.826.0.1.3680043.8.498.3003";

struct ObjectSpec {
  std::string charset;                    // (0008,0005); empty: absent
  std::string patient_name = "Doe^Jane";  // raw bytes in charset
  std::size_t rows = 16;                  // Pixel Data is rows*columns 16-bit samples
  std::size_t columns = 16;
  bool with_pixel_data = true;
};

// A CT Image Storage data set with the UIDs above and the values of spec.
std::unique_ptr<DcmFileFormat> make_object(const ObjectSpec& spec);

// file written as Part-10 bytes (preamble, meta header, data set) in transfer syntax xfer.
// encoding: EET_UndefinedLength writes sequences and items with undefined length.
Bytes write_part10(DcmFileFormat& file, E_TransferSyntax xfer,
                   E_FileWriteMode mode = EWM_createNewMeta,
                   E_EncodingType encoding = EET_ExplicitLength);

inline Bytes make_part10(const ObjectSpec& spec = {},
                         E_TransferSyntax xfer = EXS_LittleEndianExplicit) {
  return write_part10(*make_object(spec), xfer);
}

// Replaces the first occurrence of from (searching from offset start) with to (same length).
bool patch_bytes(Bytes& bytes, std::string_view from, std::string_view to, std::size_t start = 0);

}  // namespace arca::dicom::testing
