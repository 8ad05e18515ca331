// SystemRandom: the production Random, OpenSSL's CSPRNG (RAND_bytes). If the generator cannot
// produce bytes (it never does once seeded by the OS) the process aborts: returning predictable
// key material is never an option. Thread-safe.
#pragma once

#include "core/random.h"

namespace arca::crypto {

class SystemRandom final : public Random {
 public:
  void fill(MutableByteView out) override;
};

}  // namespace arca::crypto
