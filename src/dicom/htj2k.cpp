#include "dicom/htj2k.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcvrpobw.h>

#include <memory>

#include "dicom/j2k_pixels.h"

namespace arca::dicom::detail {

bool is_htj2k(std::string_view transfer_syntax) {
  return transfer_syntax == "1.2.840.10008.1.2.4.201" ||
         transfer_syntax == "1.2.840.10008.1.2.4.202" ||
         transfer_syntax == "1.2.840.10008.1.2.4.203";
}

std::string stored_transfer_syntax(DcmFileFormat& file) {
  OFString ts;
  DcmMetaInfo* meta = file.getMetaInfo();
  if (meta == nullptr || meta->findAndGetOFString(DCM_TransferSyntaxUID, ts).bad())
    return {};
  return std::string(ts.c_str());
}

DcmPixelSequence* original_pixel_sequence(DcmPixelData& pixels) {
  E_TransferSyntax filed_under = EXS_Unknown;
  const DcmRepresentationParameter* parameter = nullptr;
  pixels.getOriginalRepresentationKey(filed_under, parameter);
  DcmPixelSequence* seq = nullptr;
  if (pixels.getEncapsulatedRepresentation(filed_under, parameter, seq).bad())
    return nullptr;
  return seq;
}

Result<void> decode_htj2k(DcmFileFormat& file) {
  DcmDataset& ds = *file.getDataset();
  DcmElement* element = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
    return make_error(ErrorCode::kNotFound, "the instance has no pixel data");
  DcmPixelSequence* seq = original_pixel_sequence(*static_cast<DcmPixelData*>(element));
  if (seq == nullptr)
    return make_error(ErrorCode::kInvalidDicom, "HTJ2K object without encapsulated pixel data");
  auto native = std::make_unique<DcmPixelData>(DCM_PixelData);
  const OFCondition c = decode_j2k_pixels(ds, *seq, *native);
  if (c == EC_CannotChangeRepresentation)
    return make_error(ErrorCode::kUnsupported, "this HTJ2K pixel data cannot be decoded yet");
  if (c.bad())
    return make_error(ErrorCode::kInvalidDicom, "the HTJ2K codestream does not decode");
  Uint16 bits = 8;
  ds.findAndGetUint16(DCM_BitsAllocated, bits);
  native->setVR(bits > 8 ? EVR_OW : EVR_OB);
  if (ds.insert(native.get(), OFTrue).bad())  // replaces (and deletes) the encapsulated element
    return make_error(ErrorCode::kInternal, "decoded pixel data could not be stored");
  (void)native.release();  // owned by the data set now
  return ok();
}

}  // namespace arca::dicom::detail
