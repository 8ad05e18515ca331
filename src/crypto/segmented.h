// The segmented AEAD blob format (docs/formats/blob.md): a header followed by fixed-size
// segments, each sealed with AES-256-GCM under the blob's data key with the nonce
// prefix ‖ counter ‖ last-flag and the header (plus a caller context, e.g. the blob id) as
// associated data — the STREAM construction. It detects any modification, reordering,
// duplication, truncation or extension, and lets a reader decrypt only the segments a byte
// range touches.
//
// SegmentedEncryptor is a ByteSink: it buffers one segment and writes the header and sealed
// segments to another ByteSink; finish() seals the last segment. SegmentedDecryptor reads the
// ciphertext through a read_at callback, authenticates the final segment when it opens (so
// plaintext_size() is authenticated) and keeps it, caches the last other segment it decrypted,
// and decrypts whole segments a read covers straight into the caller's buffer.
// Thread-safety: each object is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>

#include "core/bytes.h"
#include "core/result.h"
#include "core/secret.h"
#include "core/stream.h"
#include "crypto/aead.h"
#include "crypto/blob_header.h"

namespace arca::crypto {

// Reads up to out.size() bytes at offset; returns fewer only at the end of the data.
using ReadAtFn = std::function<Result<std::size_t>(std::uint64_t offset, MutableByteView out)>;

// Size of the encrypted blob for a header of header_size bytes and the given plaintext size.
std::uint64_t ciphertext_size(std::size_t header_size, std::uint32_t segment_size,
                              std::uint64_t plaintext_size);

class SegmentedEncryptor final : public ByteSink {
 public:
  // Encodes the header and writes it to `out` at once. `context` is bound into every segment
  // (at most 65535 bytes). `out` must outlive the encryptor.
  static Result<SegmentedEncryptor> create(const SecretBytes& data_key, const BlobHeader& header,
                                           ByteView context, ByteSink& out);

  // Fails after finish() or after an earlier failure.
  Result<void> write(ByteView data) override;
  // Seals the last segment (an empty one if nothing was written). Called once.
  Result<void> finish();
  std::uint64_t plaintext_size() const { return plaintext_size_; }

 private:
  SegmentedEncryptor(Aes256Gcm gcm, ByteSink& out, Bytes aad, const BlobHeader& header);
  Result<void> seal(ByteView plaintext, bool last);

  Aes256Gcm gcm_;
  ByteSink* out_;
  Bytes aad_;
  std::uint32_t segment_size_;
  std::array<std::uint8_t, kGcmNonceSize> nonce_{};
  Bytes buf_;  // one segment of plaintext, sealed in place (+ tag)
  std::size_t fill_ = 0;
  std::uint64_t counter_ = 0;
  std::uint64_t plaintext_size_ = 0;
  bool done_ = false;  // finished or failed
};

class SegmentedDecryptor {
 public:
  // `header` is the parsed header at the start of the ciphertext; `ciphertext_size` the total
  // stored size including it. kIntegrity if the sizes are impossible or the final segment does
  // not authenticate as the last one (truncation, extension, tampering).
  static Result<SegmentedDecryptor> open(const SecretBytes& data_key, const ParsedHeader& header,
                                         ByteView context, ReadAtFn read,
                                         std::uint64_t ciphertext_size);

  std::uint64_t plaintext_size() const { return plaintext_size_; }
  // Reads up to out.size() plaintext bytes at offset; fewer only at the end. Decrypts only the
  // segments the range touches. kIntegrity if one of them fails authentication.
  Result<std::size_t> read_at(std::uint64_t offset, MutableByteView out);
  // How many segment decryptions have been done (cache hits excluded); for tests and metrics.
  std::uint64_t segments_decrypted() const { return decrypted_; }

 private:
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  SegmentedDecryptor(Aes256Gcm gcm, ReadAtFn read, Bytes aad, const BlobHeader& header);
  // Reads stored segment `index` into buf_ and decrypts it into dst (which may be buf_).
  Result<void> decrypt(std::uint64_t index, MutableByteView dst);
  // The plaintext of segment `index` (from tail_ or buf_), decrypted unless already cached.
  Result<ByteView> load(std::uint64_t index);
  bool is_last(std::uint64_t index) const { return index + 1 == segments_; }

  Aes256Gcm gcm_;
  ReadAtFn read_;
  Bytes aad_;
  std::uint32_t segment_size_;
  std::array<std::uint8_t, kGcmNonceSize> nonce_{};
  std::uint64_t header_size_ = 0;
  std::uint64_t segments_ = 0;
  std::uint64_t last_stored_ = 0;
  std::uint64_t plaintext_size_ = 0;
  Bytes buf_;   // one stored segment, decrypted in place
  Bytes tail_;  // the last segment's plaintext, when there are several segments
  std::uint64_t cached_ = kNone;
  std::size_t cached_size_ = 0;
  std::uint64_t decrypted_ = 0;
};

}  // namespace arca::crypto
