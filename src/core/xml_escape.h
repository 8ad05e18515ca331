// Text into XML 1.0, for the few places Arca writes XML itself (DICOM Native Model answers,
// DICOM audit messages): escapes & < > " and drops the control characters XML 1.0 forbids. In
// an attribute value, TAB, LF and CR become character references so that attribute-value
// normalisation keeps them.
#pragma once

#include <string>
#include <string_view>

namespace arca {

enum class XmlContext { kText, kAttribute };

void append_xml_escaped(std::string& out, std::string_view s,
                        XmlContext context = XmlContext::kText);

inline std::string xml_escape(std::string_view s, XmlContext context = XmlContext::kText) {
  std::string out;
  out.reserve(s.size());
  append_xml_escaped(out, s, context);
  return out;
}

}  // namespace arca
