// Byte buffers and views, and hex encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace arca {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string to_hex(ByteView bytes);
// The value of one hex digit (either case), or -1 if c is not one.
int hex_value(char c);
// Lower- or upper-case hex; nullopt for odd length or a non-hex character.
std::optional<Bytes> from_hex(std::string_view hex);
// True when s is exactly `length` lower-case hex digits (what to_hex writes).
bool is_lower_hex(std::string_view s, std::size_t length);

// Overwrites memory in a way the optimiser cannot remove.
void secure_wipe(void* data, std::size_t size);

}  // namespace arca
