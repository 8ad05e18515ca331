#include "dicomweb/dicom_xml.h"

#include <cstdio>
#include <vector>

namespace arca::dicomweb {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos)
      return out;
    start = end + 1;
  }
}

bool is_single_text_vr(std::string_view vr) {
  return vr == "LT" || vr == "ST" || vr == "UT" || vr == "UR";
}

std::string person_name(std::string_view value, std::size_t number) {
  static constexpr std::string_view kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
  static constexpr std::string_view kComponents[] = {"FamilyName", "GivenName", "MiddleName",
                                                     "NamePrefix", "NameSuffix"};
  std::string out = "<PersonName number=\"" + std::to_string(number) + "\">";
  auto groups = split(value, '=');
  for (std::size_t g = 0; g < groups.size() && g < 3; ++g) {
    if (groups[g].empty())
      continue;
    out += "<" + std::string(kGroups[g]) + ">";
    auto components = split(groups[g], '^');
    for (std::size_t c = 0; c < components.size() && c < 5; ++c) {
      if (components[c].empty())
        continue;
      out += "<" + std::string(kComponents[c]) + ">" + xml_escape(components[c]) + "</" +
             std::string(kComponents[c]) + ">";
    }
    out += "</" + std::string(kGroups[g]) + ">";
  }
  return out + "</PersonName>";
}

}  // namespace

void DicomXmlObject::add(std::uint32_t tag, std::string_view keyword, std::string_view vr,
                         std::string_view value) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08X", tag);
  std::string out = "<DicomAttribute tag=\"" + std::string(hex) + "\" vr=\"" + xml_escape(vr) +
                    "\" keyword=\"" + xml_escape(keyword) + "\">";
  if (!value.empty()) {
    std::vector<std::string_view> values =
        is_single_text_vr(vr) ? std::vector<std::string_view>{value} : split(value, '\\');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (vr == "PN") {
        if (!values[i].empty())
          out += person_name(values[i], i + 1);
        continue;
      }
      out +=
          "<Value number=\"" + std::to_string(i + 1) + "\">" + xml_escape(values[i]) + "</Value>";
    }
  }
  members_[tag] = out + "</DicomAttribute>\n";
}

std::string DicomXmlObject::str() const {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NativeDicomModel xml:space=\"preserve\" "
      "xmlns=\"http://dicom.nema.org/PS3.19/models/NativeDICOM\">\n";
  for (const auto& [tag, member] : members_)
    out += member;
  return out + "</NativeDicomModel>\n";
}

}  // namespace arca::dicomweb
