#include "crypto/system_random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace arca::crypto {

void SystemRandom::fill(MutableByteView out) {
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  while (!out.empty()) {
    std::size_t n = std::min(out.size(), kChunk);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      std::fprintf(stderr, "arca: RAND_bytes failed\n");
      std::abort();
    }
    out = out.subspan(n);
  }
}

}  // namespace arca::crypto
