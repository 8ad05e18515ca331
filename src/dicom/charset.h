// Internal to src/dicom: decoding of string values in one Specific Character Set (0008,0005) to
// UTF-8, with glibc iconv. Single-valued sets convert the whole value; ISO 2022 sets (any
// "ISO 2022 IR n" term, or several values) are decoded by switching code elements on the escape
// sequences of PS3.3 C.12.1.1.2 and resetting to the initial elements at delimiters
// (PS3.5 §6.1.2.5.3). DCMTK's own converter is not used: with glibc iconv it cannot open
// ISO 2022 IR 87 or IR 159 (Japanese), the most common ISO 2022 sets.
// Thread-safety: one decoder per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dicom/iconv_converter.h"

namespace arca::dicom::detail {

struct CodeElement;

class CharsetDecoder {
 public:
  explicit CharsetDecoder(std::string_view specific_character_set);
  ~CharsetDecoder();

  // raw decoded to valid UTF-8 (no trimming); person_name adds '^' and '=' as delimiters.
  std::string decode(std::string_view raw, bool person_name);

 private:
  enum class Mode { kLatin1, kUtf8, kWholeValue, kIso2022 };
  struct State {
    const CodeElement* g0 = nullptr;
    const CodeElement* g1 = nullptr;
  };
  struct Output;

  std::string decode_iso2022(std::string_view raw, bool person_name);
  std::size_t on_escape(std::string_view raw, std::size_t i, State& state, Output& out);
  std::size_t on_g0(std::string_view raw, std::size_t i, State& state, Output& out,
                    bool person_name);
  std::size_t on_g1(std::string_view raw, std::size_t i, const State& state, Output& out);
  void flush(Output& out);
  IconvConverter* converter(const char* encoding);

  Mode mode_ = Mode::kLatin1;
  const char* whole_value_encoding_ = nullptr;
  State initial_;
  std::vector<std::pair<const char*, std::unique_ptr<IconvConverter>>> converters_;
};

// "ISO-IR 100", "ISO_IR100", "iso ir 100" -> "ISO_IR 100"; likewise "ISO 2022 IR n". Mirrors the
// spelling repairs pydicom applies; other terms come back trimmed and upper-cased.
std::string repair_term(std::string_view term);

}  // namespace arca::dicom::detail
