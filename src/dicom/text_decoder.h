// Decodes DICOM string values to UTF-8 according to a Specific Character Set (0008,0005),
// including ISO 2022 code extensions (multi-valued character sets with escape sequences,
// PS3.5 §6.1), GB18030/GBK and UTF-8.
//
// Normalisation applied to every decoded value (the index stores these forms):
//   - multiple values stay joined by '\'; each value loses leading/trailing spaces and NULs;
//   - person names keep ^ and =, but trailing empty '=' groups are dropped (as pydicom does);
//   - bytes that cannot be decoded become U+FFFD; the result is always valid UTF-8;
//   - with no or the default character set (ISO_IR 6) bytes above 0x7F are read as ISO 8859-1,
//     and an unknown defined term falls back to ISO 8859-1 as well (both as pydicom does).
// Conversion uses glibc iconv (see dicom/charset.h for why not DCMTK's converter).
// Thread-safety: one decoder per thread (it owns iconv state); construction is cheap, iconv is
// only opened when a value is not plain ASCII.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace arca::dicom {
namespace detail {
class CharsetDecoder;
}

enum class TextKind {
  kText,        // delimiters: '\' (and CR, LF, FF, TAB)
  kPersonName,  // delimiters: '\', '^', '='
};

class TextDecoder {
 public:
  // specific_character_set: the raw value of (0008,0005), values separated by '\'.
  explicit TextDecoder(std::string specific_character_set);
  ~TextDecoder();
  TextDecoder(const TextDecoder&) = delete;
  TextDecoder& operator=(const TextDecoder&) = delete;

  std::string decode(std::string_view raw, TextKind kind);

 private:
  std::string charset_;
  std::unique_ptr<detail::CharsetDecoder> charset_decoder_;  // created on first non-ASCII value
};

}  // namespace arca::dicom
