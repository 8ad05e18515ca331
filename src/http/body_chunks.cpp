#include "http/body_chunks.h"

#include <algorithm>
#include <cstring>

namespace arca::http {
namespace {

std::size_t hex_digits(std::size_t n) {
  std::size_t d = 1;
  while (n >>= 4)
    ++d;
  return d;
}

}  // namespace

BodyChunks::BodyChunks(bool chunked, std::size_t size) : chunked_(chunked) {
  size = std::max<std::size_t>(size, 64);
  capacity_ = size;
  if (chunked_) {
    // The largest n with size line + n + CRLF <= size.
    capacity_ = size - 4;
    while (hex_digits(capacity_) + 2 + capacity_ + 2 > size)
      --capacity_;
  }
  // Chunked: the body sits at kSizeLine; its size line is written just before it once known.
  buffer_.resize(chunked_ ? kSizeLine + capacity_ + 2 : capacity_);
}

Result<ByteView> BodyChunks::next(ByteSource& source) {
  if (!chunked_) {
    std::size_t n = ARCA_TRY(read_full(source, MutableByteView(buffer_)));
    return ByteView(buffer_).first(n);
  }
  std::size_t n =
      ARCA_TRY(read_full(source, MutableByteView(buffer_).subspan(kSizeLine, capacity_)));
  if (n == 0)
    return ByteView();
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t digits = hex_digits(n);
  std::uint8_t* line = buffer_.data() + kSizeLine - digits - 2;
  for (std::size_t i = 0, v = n; i < digits; ++i, v >>= 4)
    line[digits - 1 - i] = static_cast<std::uint8_t>(kHex[v & 15]);
  line[digits] = '\r';
  line[digits + 1] = '\n';
  buffer_[kSizeLine + n] = '\r';
  buffer_[kSizeLine + n + 1] = '\n';
  return ByteView(line, digits + 2 + n + 2);
}

ByteView BodyChunks::last_chunk() {
  static constexpr char kLast[] = "0\r\n\r\n";
  return ByteView(reinterpret_cast<const std::uint8_t*>(kLast), sizeof kLast - 1);
}

}  // namespace arca::http
