// Randomness comes through a Random so tests control it (STYLE rule 4). The production
// implementation is crypto::SystemRandom (a CSPRNG); SeededRandom is for tests only.
// Thread-safety: implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "core/bytes.h"

namespace arca {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(MutableByteView out) = 0;

  Bytes bytes(std::size_t n) {
    Bytes out(n);
    fill(out);
    return out;
  }
  // n random bytes as lower-case hex (2n characters).
  std::string hex(std::size_t n) { return to_hex(bytes(n)); }
};

// Deterministic, NOT cryptographic: for tests that need repeatable "random" values.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  void fill(MutableByteView out) override {
    std::lock_guard lock(mu_);
    for (auto& b : out)
      b = static_cast<std::uint8_t>(engine_());
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace arca
