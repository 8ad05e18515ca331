#include "crypto/blob_header.h"

#include <algorithm>
#include <cstring>

#include "core/byte_order.h"

namespace arca::crypto {
namespace {

constexpr char kMagic[8] = {'A', 'R', 'C', 'A', 'B', 'L', 'O', 'B'};
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kFixedSize = 26;  // header size without key id and wrapped key

bool valid_key_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxKeyIdSize &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

Error malformed(const char* what) {
  return make_error(ErrorCode::kIntegrity, std::string("blob header: ") + what);
}

}  // namespace

Result<Bytes> encode_header(const BlobHeader& h) {
  if (h.segment_size < kMinSegmentSize || h.segment_size > kMaxSegmentSize)
    return make_error(ErrorCode::kInvalidArgument, "blob header: segment size out of range");
  if (!valid_key_id(h.key_id))
    return make_error(ErrorCode::kInvalidArgument, "blob header: invalid key id");
  if (h.wrapped_key.empty() || h.wrapped_key.size() > kMaxWrappedKeySize)
    return make_error(ErrorCode::kInvalidArgument, "blob header: invalid wrapped key size");
  std::size_t total = kFixedSize + h.key_id.size() + h.wrapped_key.size();
  Bytes out;
  out.reserve(total);
  out.insert(out.end(), std::begin(kMagic), std::end(kMagic));
  append_be16(out, kVersion);
  append_be16(out, static_cast<std::uint16_t>(total));
  append_be32(out, h.segment_size);
  out.insert(out.end(), h.nonce_prefix.begin(), h.nonce_prefix.end());
  out.push_back(static_cast<std::uint8_t>(h.key_id.size()));
  out.insert(out.end(), h.key_id.begin(), h.key_id.end());
  append_be16(out, static_cast<std::uint16_t>(h.wrapped_key.size()));
  out.insert(out.end(), h.wrapped_key.begin(), h.wrapped_key.end());
  return out;
}

Result<ParsedHeader> parse_header(ByteView b) {
  if (b.size() < kFixedSize)
    return malformed("too short");
  if (std::memcmp(b.data(), kMagic, sizeof kMagic) != 0)
    return malformed("bad magic");
  if (load_be16(b.data() + 8) != kVersion)
    return malformed("unsupported version");
  std::size_t total = load_be16(b.data() + 10);
  ParsedHeader p;
  p.header.segment_size = load_be32(b.data() + 12);
  if (p.header.segment_size < kMinSegmentSize || p.header.segment_size > kMaxSegmentSize)
    return malformed("segment size out of range");
  std::copy_n(b.begin() + 16, kNoncePrefixSize, p.header.nonce_prefix.begin());
  std::size_t k = b[23];
  if (total < kFixedSize + k || total > b.size())
    return malformed("bad length");
  p.header.key_id.assign(as_chars(b.subspan(24, k)));
  std::size_t w = load_be16(b.data() + 24 + k);
  if (total != kFixedSize + k + w || w == 0 || w > kMaxWrappedKeySize)
    return malformed("bad length");
  if (!valid_key_id(p.header.key_id))
    return malformed("bad key id");
  p.header.wrapped_key.assign(b.begin() + 26 + k, b.begin() + total);
  p.raw.assign(b.begin(), b.begin() + total);
  return p;
}

}  // namespace arca::crypto
