#include "dicomweb/dicom_json.h"

#include <cstdio>

#include "http/response.h"

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

bool is_number_vr(std::string_view vr) {
  return vr == "IS" || vr == "DS" || vr == "US" || vr == "UL" || vr == "SS" || vr == "SL" ||
         vr == "FL" || vr == "FD";
}

// Text VRs hold one value that may contain '\' (PS3.5 §6.4).
bool is_single_text_vr(std::string_view vr) {
  return vr == "LT" || vr == "ST" || vr == "UT" || vr == "UR";
}

// A JSON number as DICOM writes it ("+12", "0012", " 3.5") must be normalised; anything that is
// not a number at all is kept as a string rather than producing invalid JSON.
std::string number_value(std::string_view v) {
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  if (!v.empty() && v.front() == '+')
    v.remove_prefix(1);
  double d = 0;
  char* end = nullptr;
  std::string s(v);
  d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size())
    return "\"" + http::json_escape(v) + "\"";
  if (s.find_first_of(".eE") == std::string::npos) {
    std::size_t first = s.front() == '-' ? 1 : 0;
    while (s.size() > first + 1 && s[first] == '0')
      s.erase(first, 1);
    return s;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

std::string person_name_value(std::string_view v) {
  static constexpr std::string_view kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
  std::string out = "{";
  auto groups = split(v, '=');
  bool first = true;
  for (std::size_t i = 0; i < groups.size() && i < 3; ++i) {
    if (groups[i].empty())
      continue;
    out += first ? "" : ",";
    out += "\"" + std::string(kGroups[i]) + "\":\"" + http::json_escape(groups[i]) + "\"";
    first = false;
  }
  return out + "}";
}

std::string one_value(std::string_view vr, std::string_view v) {
  if (is_number_vr(vr))
    return v.empty() ? "null" : number_value(v);
  if (vr == "PN")
    return v.empty() ? "null" : person_name_value(v);
  return "\"" + http::json_escape(v) + "\"";
}

}  // namespace

std::string tag_key(std::uint32_t tag) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08X", tag);
  return buf;
}

void DicomJsonObject::add(std::uint32_t tag, std::string_view vr, std::string_view value) {
  std::string out = "{\"vr\":\"" + std::string(vr) + "\"";
  if (!value.empty()) {
    out += ",\"Value\":[";
    std::vector<std::string_view> values =
        is_single_text_vr(vr) ? std::vector<std::string_view>{value} : split(value, '\\');
    for (std::size_t i = 0; i < values.size(); ++i)
      out += (i ? "," : "") + one_value(vr, values[i]);
    out += "]";
  }
  members_[tag] = out + "}";
}

void DicomJsonObject::add_sequence(std::uint32_t tag, const std::vector<DicomJsonObject>& items) {
  std::string out = "{\"vr\":\"SQ\"";
  if (!items.empty())
    out += ",\"Value\":" + json_array(items);
  members_[tag] = out + "}";
}

std::string DicomJsonObject::str() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [tag, value] : members_) {
    out += (first ? "\"" : ",\"") + tag_key(tag) + "\":" + value;
    first = false;
  }
  return out + "}";
}

std::string json_array(const std::vector<DicomJsonObject>& objects) {
  std::string out = "[";
  for (std::size_t i = 0; i < objects.size(); ++i)
    out += (i ? "," : "") + objects[i].str();
  return out + "]";
}

}  // namespace arca::dicomweb
