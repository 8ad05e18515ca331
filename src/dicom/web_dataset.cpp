#include "dicom/web_dataset.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include "dicom/text_decoder.h"

namespace arca::dicom::detail {
namespace {

bool is_charset_text(DcmEVR vr) {
  return vr == EVR_PN || vr == EVR_LO || vr == EVR_SH || vr == EVR_LT || vr == EVR_ST ||
         vr == EVR_UT || vr == EVR_UC;
}

}  // namespace

bool is_bulk(const DcmTagKey& tag) {
  const Uint16 g = tag.getGroup();
  const Uint16 e = tag.getElement();
  return tag == DCM_PixelData || tag == DCM_FloatPixelData || tag == DCM_DoubleFloatPixelData ||
         tag == DCM_WaveformData || tag == DCM_EncapsulatedDocument ||
         tag == DCM_SpectroscopyData || ((g & 0xFF00) == 0x6000 && e == 0x3000);
}

void text_to_utf8(DcmItem& item, const std::string& inherited) {
  std::string charset = inherited;
  OFString own;
  if (item.findAndGetOFStringArray(DCM_SpecificCharacterSet, own, OFFalse).good())
    charset = own.c_str();
  TextDecoder decoder(charset);
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    if (e->ident() == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(e);
      for (unsigned long j = 0; j < seq->card(); ++j)
        text_to_utf8(*seq->getItem(j), charset);
      continue;
    }
    char* raw = nullptr;
    Uint32 length = 0;
    if (!is_charset_text(e->ident()) || e->getString(raw, length).bad() || raw == nullptr)
      continue;
    std::string utf8 =
        decoder.decode(std::string_view(raw, length),
                       e->ident() == EVR_PN ? TextKind::kPersonName : TextKind::kText);
    (void)e->putString(utf8.c_str(), static_cast<Uint32>(utf8.size()));
  }
  if (!own.empty())
    (void)item.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
}

}  // namespace arca::dicom::detail
