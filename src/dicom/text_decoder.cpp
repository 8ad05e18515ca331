#include "dicom/text_decoder.h"

#include <algorithm>
#include <utility>

#include "dicom/charset.h"

namespace arca::dicom {
namespace {

bool is_plain_ascii(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0x80 || b == 0x1B;
  });
}

std::string_view trim(std::string_view v) {
  auto pad = [](char c) { return c == ' ' || c == '\0'; };
  while (!v.empty() && pad(v.front()))
    v.remove_prefix(1);
  while (!v.empty() && pad(v.back()))
    v.remove_suffix(1);
  return v;
}

std::string normalize(std::string_view decoded, TextKind kind) {
  std::string out;
  out.reserve(decoded.size());
  for (std::size_t start = 0;;) {
    const std::size_t end = decoded.find('\\', start);
    std::string_view value =
        trim(decoded.substr(start, end == std::string_view::npos ? end : end - start));
    if (kind == TextKind::kPersonName) {
      while (!value.empty() && value.back() == '=')
        value = trim(value.substr(0, value.size() - 1));
    }
    out.append(value);
    if (end == std::string_view::npos)
      return out;
    out.push_back('\\');
    start = end + 1;
  }
}

}  // namespace

TextDecoder::TextDecoder(std::string specific_character_set)
    : charset_(std::move(specific_character_set)) {}

TextDecoder::~TextDecoder() = default;

std::string TextDecoder::decode(std::string_view raw, TextKind kind) {
  // Every supported set reads bytes below 0x80 without an escape as ASCII: no conversion needed.
  if (is_plain_ascii(raw))
    return normalize(raw, kind);
  if (!charset_decoder_)
    charset_decoder_ = std::make_unique<detail::CharsetDecoder>(charset_);
  return normalize(charset_decoder_->decode(raw, kind == TextKind::kPersonName), kind);
}

}  // namespace arca::dicom
