// Internal to src/dicom (it exposes DCMTK types): how a stored data set is prepared for the web
// views (DICOM JSON and XML metadata): which top-level values are bulk data served by reference,
// and the rewrite of every text value as UTF-8.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

namespace arca::dicom::detail {

// Pixel Data (also float and double float), Waveform Data, Encapsulated Document, Spectroscopy
// Data and Overlay Data: values referenced by a bulk data URI rather than sent inline.
bool is_bulk(const DcmTagKey& tag);

// Rewrites every text value of the item (and its sequences) as UTF-8 with Arca's own decoder,
// which handles the ISO 2022 sets DCMTK's converter cannot open with glibc iconv. An item with
// its own Specific Character Set uses it (and then declares ISO_IR 192); `inherited` is the
// enclosing item's.
void text_to_utf8(DcmItem& item, const std::string& inherited);

}  // namespace arca::dicom::detail
