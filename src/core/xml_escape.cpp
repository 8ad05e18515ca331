#include "core/xml_escape.h"

namespace arca {

void append_xml_escaped(std::string& out, std::string_view s, XmlContext context) {
  const bool attribute = context == XmlContext::kAttribute;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += attribute ? "&#13;" : "\r";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20)
          out += c;  // other control characters are not allowed in XML 1.0 at all
    }
  }
}

}  // namespace arca
