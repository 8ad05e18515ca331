// Internal to src/dicom: conversion of byte strings in one character encoding to UTF-8 with glibc
// iconv, and UTF-8 helpers for the text decoder.
// Thread-safety: an IconvConverter is used by one thread at a time (iconv keeps state).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace arca::dicom::detail {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

class IconvConverter {
 public:
  // nullptr when iconv does not know encoding (an iconv name such as "ISO-8859-5").
  static std::unique_ptr<IconvConverter> open(const char* encoding);
  ~IconvConverter();
  IconvConverter(const IconvConverter&) = delete;
  IconvConverter& operator=(const IconvConverter&) = delete;

  // Appends in, converted to UTF-8, to out; each byte that does not convert becomes U+FFFD.
  void append_utf8(std::string_view in, std::string& out);

 private:
  explicit IconvConverter(void* handle) : handle_(handle) {}
  void* handle_;  // iconv_t
};

// Code point (< U+0800) as UTF-8.
void append_code_point(std::string& out, unsigned cp);
// Replaces every byte that is not part of a valid UTF-8 sequence with U+FFFD.
std::string sanitize_utf8(std::string_view s);

}  // namespace arca::dicom::detail
