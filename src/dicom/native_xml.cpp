#include "dicom/native_xml.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstdio>
#include <sstream>

#include "core/xml_escape.h"
#include "dicom/stored_object.h"
#include "dicom/web_dataset.h"

namespace arca::dicom {
namespace {

void bulk_reference(std::ostream& out, const DcmTagKey& key, const char* vr,
                    std::string_view bulk_base) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%04X%04X", key.getGroup(), key.getElement());
  DcmTag tag(key);
  out << "<DicomAttribute tag=\"" << hex << "\" vr=\"" << vr << "\" keyword=\""
      << xml_escape(tag.getTagName()) << "\">\n<BulkData uri=\""
      << xml_escape(std::string(bulk_base) + "/bulk/" + hex) << "\"/>\n</DicomAttribute>\n";
}

Result<std::string> write_xml(DcmDataset& ds, std::string_view bulk_base, bool pixel_data_follows) {
  detail::text_to_utf8(ds, "");
  (void)ds.findAndDeleteElement(DCM_DataSetTrailingPadding);
  const size_t flags =
      DCMTypes::XF_useNativeModel | DCMTypes::XF_writeBinaryData | DCMTypes::XF_encodeBase64;
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<NativeDicomModel xml:space=\"preserve\" "
         "xmlns=\"http://dicom.nema.org/PS3.19/models/NativeDICOM\">\n";
  for (unsigned long i = 0; i < ds.card(); ++i) {
    DcmElement* e = ds.getElement(i);
    if (detail::is_bulk(e->getTag())) {
      bulk_reference(out, e->getTag(), DcmVR(e->getVR()).getVRName(), bulk_base);
      continue;
    }
    if (e->writeXML(out, flags).bad())
      return make_error(ErrorCode::kInvalidDicom, "data set cannot be written as DICOM XML");
  }
  if (pixel_data_follows) {  // parsing stopped at Pixel Data: reference it without reading it
    Uint16 bits = 16;
    ds.findAndGetUint16(DCM_BitsAllocated, bits);
    const bool ob = DcmXfer(ds.getOriginalXfer()).isEncapsulated() || bits <= 8;
    bulk_reference(out, DCM_PixelData, ob ? "OB" : "OW", bulk_base);
  }
  out << "</NativeDicomModel>\n";
  return out.str();
}

}  // namespace

Result<std::optional<std::string>> metadata_xml_from_prefix(ByteView prefix, bool complete,
                                                            std::string_view bulk_base) {
  return detail::guarded([&]() -> Result<std::optional<std::string>> {
    auto read = ARCA_TRY(detail::read_until_pixel_data(prefix, complete));
    if (!read)
      return std::optional<std::string>();  // ends before Pixel Data: read more
    const bool stopped_at_pixels = !complete || read->input_left;
    return std::optional<std::string>(
        ARCA_TRY(write_xml(*read->file->getDataset(), bulk_base, stopped_at_pixels)));
  });
}

}  // namespace arca::dicom
