// A writer for the DICOM JSON model (PS3.18 §F.2) of flat attribute sets such as QIDO-RS
// results and STOW-RS store responses: {"0020000D": {"vr": "UI", "Value": ["1.2.3"]}, ...}.
// Values arrive as UTF-8 DICOM strings (multiple values joined by '\'); numbers (IS, DS, US, UL,
// SS, SL) become JSON numbers, person names {"Alphabetic", "Ideographic", "Phonetic"} objects,
// empty values an attribute with only its "vr". Attributes are written in ascending tag order
// whatever order they are added in. Full data sets (/metadata) are written by dicom/ instead.
// Thread-safety: a writer is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace arca::dicomweb {

class DicomJsonObject {
 public:
  // A string-valued attribute (any VR but SQ); replaces an earlier one with the same tag.
  void add(std::uint32_t tag, std::string_view vr, std::string_view value);
  // A sequence of items.
  void add_sequence(std::uint32_t tag, const std::vector<DicomJsonObject>& items);
  bool empty() const { return members_.empty(); }
  std::string str() const;

 private:
  std::map<std::uint32_t, std::string> members_;  // tag -> serialised attribute object
};

// "[obj,obj,...]"
std::string json_array(const std::vector<DicomJsonObject>& objects);
// "0010,0020" style tags as the JSON model writes them: eight upper-case hex digits.
std::string tag_key(std::uint32_t tag);

}  // namespace arca::dicomweb
