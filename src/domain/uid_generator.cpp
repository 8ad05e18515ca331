#include "domain/uid_generator.h"

#include <algorithm>
#include <array>

namespace arca {

std::string new_uuid_uid(Random& random) {
  std::array<std::uint8_t, 16> uuid{};
  random.fill(uuid);
  uuid[6] = static_cast<std::uint8_t>((uuid[6] & 0x0F) | 0x40);  // version 4
  uuid[8] = static_cast<std::uint8_t>((uuid[8] & 0x3F) | 0x80);  // RFC 4122 variant
  // The 128-bit big-endian number in decimal: repeated division by 10.
  std::string digits;
  while (std::any_of(uuid.begin(), uuid.end(), [](std::uint8_t b) { return b != 0; })) {
    unsigned remainder = 0;
    for (std::uint8_t& byte : uuid) {
      const unsigned value = (remainder << 8) | byte;
      byte = static_cast<std::uint8_t>(value / 10);
      remainder = value % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  std::reverse(digits.begin(), digits.end());
  return "2.25." + digits;
}

}  // namespace arca
