// Fuzz target: the encrypted blob header parser, which reads bytes from disk or object storage
// that an attacker with access to the storage could have altered.
#include <cstddef>
#include <cstdint>

#include "crypto/blob_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = arca::crypto::parse_header(arca::ByteView(data, size));
  (void)parsed;
  return 0;
}
