#include "crypto/segmented.h"

#include <algorithm>
#include <cstring>

namespace arca::crypto {
namespace {

constexpr std::uint64_t kMaxSegments = std::uint64_t{1} << 32;

Result<Bytes> make_aad(ByteView header, ByteView context) {
  if (context.size() > 0xFFFF)
    return make_error(ErrorCode::kInvalidArgument, "blob context too long");
  Bytes aad(header.begin(), header.end());
  aad.push_back(static_cast<std::uint8_t>(context.size() >> 8));
  aad.push_back(static_cast<std::uint8_t>(context.size()));
  aad.insert(aad.end(), context.begin(), context.end());
  return aad;
}

// nonce = prefix(7) ‖ uint32 counter (big endian) ‖ last flag.
void set_nonce(std::array<std::uint8_t, kGcmNonceSize>& nonce, std::uint64_t index, bool last) {
  auto i = static_cast<std::uint32_t>(index);
  nonce[7] = static_cast<std::uint8_t>(i >> 24);
  nonce[8] = static_cast<std::uint8_t>(i >> 16);
  nonce[9] = static_cast<std::uint8_t>(i >> 8);
  nonce[10] = static_cast<std::uint8_t>(i);
  nonce[11] = last ? 1 : 0;
}

Error integrity(std::string what) {
  return make_error(ErrorCode::kIntegrity, "encrypted blob: " + std::move(what));
}

}  // namespace

std::uint64_t ciphertext_size(std::size_t header_size, std::uint32_t segment_size,
                              std::uint64_t plaintext_size) {
  std::uint64_t segments =
      plaintext_size == 0 ? 1 : (plaintext_size + segment_size - 1) / segment_size;
  return header_size + plaintext_size + segments * kGcmTagSize;
}

// ---- SegmentedEncryptor ----

SegmentedEncryptor::SegmentedEncryptor(Aes256Gcm gcm, ByteSink& out, Bytes aad,
                                       const BlobHeader& header)
    : gcm_(std::move(gcm)),
      out_(&out),
      aad_(std::move(aad)),
      segment_size_(header.segment_size),
      buf_(header.segment_size + kGcmTagSize) {
  std::copy(header.nonce_prefix.begin(), header.nonce_prefix.end(), nonce_.begin());
}

Result<SegmentedEncryptor> SegmentedEncryptor::create(const SecretBytes& data_key,
                                                      const BlobHeader& header, ByteView context,
                                                      ByteSink& out) {
  Bytes raw = ARCA_TRY(encode_header(header));
  Bytes aad = ARCA_TRY(make_aad(raw, context));
  auto gcm = ARCA_TRY(Aes256Gcm::create(data_key.reveal()));
  ARCA_TRY(out.write(raw));
  return SegmentedEncryptor(std::move(gcm), out, std::move(aad), header);
}

Result<void> SegmentedEncryptor::seal(ByteView plaintext, bool last) {
  if (counter_ >= kMaxSegments) {
    done_ = true;
    return make_error(ErrorCode::kTooLarge, "encrypted blob: too many segments");
  }
  set_nonce(nonce_, counter_, last);
  const std::size_t size = plaintext.size() + kGcmTagSize;
  // Sealed where the sink keeps it when it offers room (no copy), else through buf_.
  auto room = out_->reserve_in_place(size);
  Result<void> r = ok();
  if (!room.ok()) {
    r = std::move(room).error();
  } else if (room->size() == size) {
    r = gcm_.seal(nonce_, aad_, plaintext, *room);
    if (r.ok())
      r = out_->commit_in_place(size);
  } else {
    MutableByteView sealed = MutableByteView(buf_).first(size);
    r = gcm_.seal(nonce_, aad_, plaintext, sealed);
    if (r.ok())
      r = out_->write(sealed);
  }
  if (!r.ok()) {
    done_ = true;
    return r;
  }
  ++counter_;
  fill_ = 0;
  return ok();
}

Result<void> SegmentedEncryptor::write(ByteView data) {
  if (done_)
    return make_error(ErrorCode::kInvalidArgument, "encrypted blob: write after finish or error");
  plaintext_size_ += data.size();
  while (!data.empty()) {
    // A full buffer is sealed only once more data arrives: the last segment may be full.
    if (fill_ == segment_size_)
      ARCA_TRY(seal(ByteView(buf_).first(fill_), false));
    if (fill_ == 0 && data.size() > segment_size_) {
      // Whole segments with more to follow: seal straight from the caller's buffer.
      ARCA_TRY(seal(data.first(segment_size_), false));
      data = data.subspan(segment_size_);
      continue;
    }
    std::size_t n = std::min<std::size_t>(segment_size_ - fill_, data.size());
    std::memcpy(buf_.data() + fill_, data.data(), n);
    fill_ += n;
    data = data.subspan(n);
  }
  return ok();
}

Result<void> SegmentedEncryptor::finish() {
  if (done_)
    return make_error(ErrorCode::kInvalidArgument, "encrypted blob: finish after finish or error");
  ARCA_TRY(seal(ByteView(buf_).first(fill_), true));
  done_ = true;
  return ok();
}

// ---- SegmentedDecryptor ----

SegmentedDecryptor::SegmentedDecryptor(Aes256Gcm gcm, ReadAtFn read, Bytes aad,
                                       const BlobHeader& header)
    : gcm_(std::move(gcm)),
      read_(std::move(read)),
      aad_(std::move(aad)),
      segment_size_(header.segment_size),
      buf_(header.segment_size + kGcmTagSize) {
  std::copy(header.nonce_prefix.begin(), header.nonce_prefix.end(), nonce_.begin());
}

Result<SegmentedDecryptor> SegmentedDecryptor::open(const SecretBytes& data_key,
                                                    const ParsedHeader& header, ByteView context,
                                                    ReadAtFn read, std::uint64_t ciphertext_size) {
  const std::uint64_t h = header.raw.size();
  const std::uint64_t full = std::uint64_t{header.header.segment_size} + kGcmTagSize;
  if (ciphertext_size < h + kGcmTagSize)
    return integrity("truncated");
  const std::uint64_t body = ciphertext_size - h;
  const std::uint64_t n = (body + full - 1) / full;
  const std::uint64_t last = body - (n - 1) * full;
  if (last < kGcmTagSize || (n > 1 && last == kGcmTagSize) || n > kMaxSegments)
    return integrity("impossible length (truncated or extended)");

  Bytes aad = ARCA_TRY(make_aad(header.raw, context));
  auto gcm = ARCA_TRY(Aes256Gcm::create(data_key.reveal()));
  SegmentedDecryptor d(std::move(gcm), std::move(read), std::move(aad), header.header);
  d.header_size_ = h;
  d.segments_ = n;
  d.last_stored_ = last;
  d.plaintext_size_ = body - n * kGcmTagSize;
  // Authenticating the final segment as the last one authenticates the length. It is kept
  // apart so a sequential read does not decrypt it twice.
  ByteView last_plain = ARCA_TRY(d.load(n - 1));
  if (n > 1) {
    d.tail_.assign(last_plain.begin(), last_plain.end());
    d.cached_ = kNone;
  }
  return d;
}

Result<void> SegmentedDecryptor::decrypt(std::uint64_t index, MutableByteView dst) {
  const std::uint64_t full = std::uint64_t{segment_size_} + kGcmTagSize;
  const std::size_t stored = is_last(index) ? last_stored_ : full;
  if (dst.size() != stored - kGcmTagSize)
    return make_error(ErrorCode::kInternal, "encrypted blob: bad segment buffer");
  cached_ = kNone;  // buf_ is about to hold ciphertext
  MutableByteView src = MutableByteView(buf_).first(stored);
  const std::uint64_t offset = header_size_ + index * full;
  std::size_t got = 0;
  while (got < stored) {
    std::size_t n = ARCA_TRY(read_(offset + got, src.subspan(got)));
    if (n == 0)
      return integrity("shorter than its length");
    got += n;
  }
  set_nonce(nonce_, index, is_last(index));
  auto r = gcm_.open(nonce_, aad_, src, dst);
  if (!r.ok()) {
    if (r.error().code == ErrorCode::kIntegrity)
      return integrity("segment " + std::to_string(index) + " failed authentication");
    return r;
  }
  ++decrypted_;
  return ok();
}

Result<ByteView> SegmentedDecryptor::load(std::uint64_t index) {
  if (is_last(index) && !tail_.empty())
    return ByteView(tail_);
  if (cached_ != index) {
    const std::size_t size = is_last(index) ? last_stored_ - kGcmTagSize : segment_size_;
    ARCA_TRY(decrypt(index, MutableByteView(buf_).first(size)));
    cached_ = index;
    cached_size_ = size;
  }
  return ByteView(buf_).first(cached_size_);
}

Result<std::size_t> SegmentedDecryptor::read_at(std::uint64_t offset, MutableByteView out) {
  if (offset >= plaintext_size_)
    return std::size_t{0};
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), plaintext_size_ - offset));
  std::size_t done = 0;
  while (done < want) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t index = pos / segment_size_;
    const std::size_t in = static_cast<std::size_t>(pos % segment_size_);
    if (in == 0 && !is_last(index) && want - done >= segment_size_ && cached_ != index) {
      // A whole segment wanted: decrypt straight into the caller's buffer, no copy.
      ARCA_TRY(decrypt(index, out.subspan(done, segment_size_)));
      done += segment_size_;
      continue;
    }
    ByteView plain = ARCA_TRY(load(index));
    std::size_t n = std::min(plain.size() - in, want - done);
    std::memcpy(out.data() + done, plain.data() + in, n);
    done += n;
  }
  return done;
}

}  // namespace arca::crypto
