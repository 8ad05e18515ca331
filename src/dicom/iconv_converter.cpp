#include "dicom/iconv_converter.h"

#include <iconv.h>

#include <cerrno>

namespace arca::dicom::detail {
namespace {

iconv_t as_iconv(void* handle) {
  return static_cast<iconv_t>(handle);
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = at(i);
  std::size_t n = 0;
  if (b < 0x80)
    n = 1;
  else if (b >= 0xC2 && b <= 0xDF)
    n = 2;
  else if (b >= 0xE0 && b <= 0xEF)
    n = 3;
  else if (b >= 0xF0 && b <= 0xF4)
    n = 4;
  if (n == 0 || i + n > s.size())
    return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((at(i + k) & 0xC0) != 0x80)
      return 0;
  }
  const unsigned char b1 = n > 1 ? at(i + 1) : 0;
  if ((b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 > 0x9F) || (b == 0xF0 && b1 < 0x90) ||
      (b == 0xF4 && b1 > 0x8F))
    return 0;  // overlong, surrogate or beyond U+10FFFF
  return n;
}

}  // namespace

std::unique_ptr<IconvConverter> IconvConverter::open(const char* encoding) {
  iconv_t handle = iconv_open("UTF-8", encoding);
  if (handle == reinterpret_cast<iconv_t>(-1))
    return nullptr;
  return std::unique_ptr<IconvConverter>(new IconvConverter(handle));
}

IconvConverter::~IconvConverter() {
  iconv_close(as_iconv(handle_));
}

void IconvConverter::append_utf8(std::string_view in, std::string& out) {
  iconv(as_iconv(handle_), nullptr, nullptr, nullptr, nullptr);  // initial shift state
  char* src = const_cast<char*>(in.data());  // iconv's interface is not const-correct
  std::size_t src_left = in.size();
  char buffer[1024];
  while (src_left > 0) {
    char* dst = buffer;
    std::size_t dst_left = sizeof buffer;
    const std::size_t r = iconv(as_iconv(handle_), &src, &src_left, &dst, &dst_left);
    out.append(buffer, static_cast<std::size_t>(dst - buffer));
    if (r != static_cast<std::size_t>(-1) || errno == E2BIG)
      continue;
    out += kReplacementCharacter;  // EILSEQ or EINVAL (incomplete sequence at the end)
    ++src;
    --src_left;
  }
  char* dst = buffer;
  std::size_t dst_left = sizeof buffer;
  iconv(as_iconv(handle_), nullptr, nullptr, &dst, &dst_left);
  out.append(buffer, static_cast<std::size_t>(dst - buffer));
}

void append_code_point(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += kReplacementCharacter;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace arca::dicom::detail
