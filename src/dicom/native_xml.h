// Instance metadata in the PS3.19 Native DICOM Model (application/dicom+xml), the XML twin of
// metadata_json_from_prefix() in dicom/web_views.h: the data set without file meta information,
// text as UTF-8 (the document says encoding="UTF-8"), bulk values (see dicom/web_dataset.h) as
// <BulkData uri="{bulk_base}/bulk/{tag}"/>, other binary values as <InlineBinary> (base64).
// DCMTK writes each attribute (DcmElement::writeXML in its native-model mode); this file writes
// the document frame and the bulk data references.
// Thread-safety: free functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom {

// From the first bytes of an object, parsed up to Pixel Data (then referenced without being
// read; elements after it are left out). nullopt: the prefix ends before Pixel Data, read more
// and call again; complete: the prefix is the whole object.
Result<std::optional<std::string>> metadata_xml_from_prefix(ByteView prefix, bool complete,
                                                            std::string_view bulk_base);

}  // namespace arca::dicom
