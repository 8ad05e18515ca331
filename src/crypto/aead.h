// AES-256-GCM (OpenSSL 3 EVP) and key wrapping. Aes256Gcm keeps its key schedule and cipher
// contexts between calls, so sealing many segments under one key allocates nothing per call.
// Authentication failures are ErrorCode::kIntegrity; on failure no plaintext is returned.
// Thread-safety: an Aes256Gcm is used by one thread at a time; free functions are thread-safe.
#pragma once

#include <cstdint>
#include <memory>

#include "core/bytes.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"

namespace arca::crypto {

inline constexpr std::size_t kAesKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

class Aes256Gcm {
 public:
  // Fails with kInvalidArgument unless the key is 32 bytes.
  static Result<Aes256Gcm> create(ByteView key);
  Aes256Gcm(Aes256Gcm&&) noexcept;
  Aes256Gcm& operator=(Aes256Gcm&&) noexcept;
  ~Aes256Gcm();

  // Encrypts plaintext into out (out.size() == plaintext.size() + 16: ciphertext then tag).
  // out may start at plaintext.data() (in place).
  Result<void> seal(ByteView nonce, ByteView aad, ByteView plaintext, MutableByteView out);
  // Decrypts ciphertext ‖ tag into out (out.size() == sealed.size() - 16; may start at
  // sealed.data()). On kIntegrity the contents of out are wiped.
  Result<void> open(ByteView nonce, ByteView aad, ByteView sealed, MutableByteView out);

 private:
  struct Impl;
  explicit Aes256Gcm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot forms: seal returns ciphertext ‖ tag; open returns the plaintext.
Result<Bytes> seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
Result<SecretBytes> open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

// Wraps a key under a key-encryption key with a random nonce and `context` as associated data,
// so a wrapped key only unwraps for the context it was made for (docs/formats/blob.md §3):
//   0x01 ‖ nonce(12) ‖ AES-256-GCM(kek, nonce, 0x01 ‖ context, key) ‖ tag(16)
Result<Bytes> wrap_key(const SecretBytes& kek, const SecretBytes& key, ByteView context,
                       Random& random);
// kIntegrity if the wrapped key was altered, is for another context or another KEK.
Result<SecretBytes> unwrap_key(const SecretBytes& kek, ByteView wrapped, ByteView context);

}  // namespace arca::crypto
