// A writer for the PS3.19 Native DICOM Model (application/dicom+xml) of flat attribute sets such
// as QIDO-RS results, the XML twin of dicom_json.h: values arrive as UTF-8 DICOM strings
// (multiple values joined by '\'), person names are split into their component groups and
// components, and attributes are written in ascending tag order. Full data sets (/metadata) are
// written by dicom/native_xml.h instead.
// Thread-safety: a writer is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/xml_escape.h"

namespace arca::dicomweb {

class DicomXmlObject {
 public:
  // A string-valued attribute (any VR but SQ); replaces an earlier one with the same tag.
  void add(std::uint32_t tag, std::string_view keyword, std::string_view vr,
           std::string_view value);
  // The whole document, XML declaration included.
  std::string str() const;

 private:
  std::map<std::uint32_t, std::string> members_;  // tag -> serialised DicomAttribute
};

using arca::xml_escape;

}  // namespace arca::dicomweb
