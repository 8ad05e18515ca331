// The header of an encrypted blob (docs/formats/blob.md §1.1): what a reader needs to find the
// wrapping key, unwrap the data key and locate the segments. It is authenticated as part of
// every segment's associated data, not on its own.
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::crypto {

inline constexpr std::uint32_t kDefaultSegmentSize = 64 * 1024;
inline constexpr std::uint32_t kMinSegmentSize = 1024;
inline constexpr std::uint32_t kMaxSegmentSize = 16 * 1024 * 1024;
inline constexpr std::size_t kNoncePrefixSize = 7;
inline constexpr std::size_t kMaxKeyIdSize = 255;
inline constexpr std::size_t kMaxWrappedKeySize = 1024;
// A prefix of this many bytes (or the whole blob, if shorter) always holds the whole header.
inline constexpr std::size_t kMaxHeaderSize = 2048;

struct BlobHeader {
  std::uint32_t segment_size = kDefaultSegmentSize;
  std::array<std::uint8_t, kNoncePrefixSize> nonce_prefix{};
  std::string key_id;  // vault id of the key that wraps the data key; printable ASCII
  Bytes wrapped_key;
};

// kInvalidArgument if a field is out of range.
Result<Bytes> encode_header(const BlobHeader& header);

struct ParsedHeader {
  BlobHeader header;
  Bytes raw;  // the exact header bytes, bound into every segment's associated data
};

// Parses the header at the start of `prefix` (the first kMaxHeaderSize bytes of a blob, or all
// of it). kIntegrity if it is not a well-formed version-1 header.
Result<ParsedHeader> parse_header(ByteView prefix);

}  // namespace arca::crypto
