// Hashes, MACs and key derivation over OpenSSL 3: SHA-256, HMAC-SHA-256, HKDF-SHA-256 (RFC 5869)
// and a constant-time comparison. OpenSSL types stay in hash.cpp (STYLE rule 2).
// These operations cannot fail on valid input; an OpenSSL internal failure (out of memory)
// aborts the process rather than return a wrong digest.
// Thread-safety: free functions are thread-safe; a Sha256 is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"

namespace arca::crypto {

inline constexpr std::size_t kSha256Size = 32;
using Digest = std::array<std::uint8_t, kSha256Size>;

// Streaming SHA-256: update() any number of times, then finish() once.
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  void update(ByteView data);
  // The digest of everything passed to update(); the hasher then starts over, empty.
  Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest sha256(ByteView data);
Digest hmac_sha256(ByteView key, ByteView data);

// HKDF-SHA-256 extract-and-expand. An empty salt means HashLen zero bytes (RFC 5869 §2.2).
// Fails with kInvalidArgument if length is 0 or above 255 * 32.
Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

// True if a and b are equal; the time taken depends on the lengths only, not the contents.
bool constant_time_equal(ByteView a, ByteView b);

}  // namespace arca::crypto
