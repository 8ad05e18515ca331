#include "crypto/segmented.h"

#include <gtest/gtest.h>

#include <cstring>

#include "core/random.h"

namespace arca::crypto {
namespace {

constexpr std::size_t kS = kDefaultSegmentSize;
constexpr std::size_t kF = kS + kGcmTagSize;

class SegmentedTest : public ::testing::Test {
 protected:
  SegmentedTest() : key_(random_.bytes(32)) {}

  BlobHeader header(std::uint32_t segment_size = kDefaultSegmentSize) {
    BlobHeader h;
    h.segment_size = segment_size;
    random_.fill(h.nonce_prefix);
    h.key_id = "patient:test";
    h.wrapped_key = Bytes(61, 0xAB);
    return h;
  }

  // Encrypts `plain`, writing it in chunks of `chunk` bytes.
  Bytes encrypt(ByteView plain, std::size_t chunk = 1000, ByteView context = as_bytes("ctx")) {
    MemorySink sink;
    auto enc = SegmentedEncryptor::create(key_, header(), context, sink).value();
    for (std::size_t at = 0; at < plain.size(); at += chunk)
      EXPECT_TRUE(enc.write(plain.subspan(at, std::min(chunk, plain.size() - at))).ok());
    EXPECT_TRUE(enc.finish().ok());
    EXPECT_EQ(enc.plaintext_size(), plain.size());
    return sink.take();
  }

  static std::size_t header_size(const Bytes& blob) {
    return parse_header(ByteView(blob).first(std::min(blob.size(), kMaxHeaderSize)))->raw.size();
  }

  Result<SegmentedDecryptor> open_blob(const Bytes& blob, ByteView context = as_bytes("ctx"),
                                       const SecretBytes* key = nullptr) {
    auto parsed =
        ARCA_TRY(parse_header(ByteView(blob).first(std::min(blob.size(), kMaxHeaderSize))));
    const Bytes* data = &blob;
    ReadAtFn read = [data](std::uint64_t offset, MutableByteView out) -> Result<std::size_t> {
      if (offset >= data->size())
        return std::size_t{0};
      std::size_t n = std::min<std::size_t>(out.size(), data->size() - offset);
      std::memcpy(out.data(), data->data() + offset, n);
      return n;
    };
    return SegmentedDecryptor::open(key ? *key : key_, parsed, context, read, blob.size());
  }

  Result<Bytes> decrypt(const Bytes& blob, ByteView context = as_bytes("ctx")) {
    auto dec = ARCA_TRY(open_blob(blob, context));
    Bytes out(dec.plaintext_size());
    std::size_t n = ARCA_TRY(dec.read_at(0, out));
    if (n != out.size())
      return make_error(ErrorCode::kInternal, "short read");
    return out;
  }

  void expect_integrity_failure(const Bytes& blob, const std::string& what) {
    auto r = decrypt(blob);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kIntegrity) << what << ": " << r.error().to_string();
  }

  SeededRandom random_{42};
  SecretBytes key_;
};

class SegmentedRoundTrip : public SegmentedTest,
                           public ::testing::WithParamInterface<std::size_t> {};

TEST_P(SegmentedRoundTrip, DecryptsWhatWasEncrypted) {
  Bytes plain = random_.bytes(GetParam());
  for (std::size_t chunk : {std::size_t{1000}, kS, 3 * kS + 7}) {
    if (chunk == 1000 && plain.size() > 1'000'000)
      continue;
    Bytes blob = encrypt(plain, chunk);
    EXPECT_EQ(blob.size(), ciphertext_size(header_size(blob), kDefaultSegmentSize, plain.size()));
    auto back = decrypt(blob);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, plain);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, SegmentedRoundTrip,
                         ::testing::Values(0, 1, 65535, 65536, 65537, 3 * 65536 + 5,
                                           5 * 1000 * 1000));

// A sink that offers room in its own buffer gets each sealed segment there, byte for byte what
// a plain sink receives through write().
class InPlaceSink final : public ByteSink {
 public:
  Result<void> write(ByteView data) override {
    bytes.insert(bytes.end(), data.begin(), data.end());
    return ok();
  }
  Result<MutableByteView> reserve_in_place(std::size_t size) override {
    reserved = size;
    room.assign(size, 0);
    return MutableByteView(room);
  }
  Result<void> commit_in_place(std::size_t size) override {
    if (fail_commit)
      return make_error(ErrorCode::kUnavailable, "disk gone");
    EXPECT_EQ(size, reserved);
    bytes.insert(bytes.end(), room.begin(), room.begin() + static_cast<std::ptrdiff_t>(size));
    ++in_place;
    return ok();
  }
  Bytes bytes;
  Bytes room;
  std::size_t reserved = 0;
  int in_place = 0;
  bool fail_commit = false;
};

TEST_F(SegmentedTest, SealsInPlaceWhenTheSinkOffersRoom) {
  const BlobHeader h = header();
  Bytes plain = random_.bytes(3 * kS + 11);
  MemorySink plain_sink;
  InPlaceSink room_sink;
  for (ByteSink* sink : {static_cast<ByteSink*>(&plain_sink), static_cast<ByteSink*>(&room_sink)}) {
    auto enc = SegmentedEncryptor::create(key_, h, as_bytes("ctx"), *sink).value();
    ASSERT_TRUE(enc.write(ByteView(plain).first(1000)).ok());
    ASSERT_TRUE(enc.write(ByteView(plain).subspan(1000)).ok());
    ASSERT_TRUE(enc.finish().ok());
  }
  EXPECT_EQ(room_sink.in_place, 4);
  EXPECT_EQ(room_sink.bytes, plain_sink.bytes());
  EXPECT_EQ(decrypt(room_sink.bytes).value(), plain);
}

TEST_F(SegmentedTest, AFailedInPlaceCommitFailsTheWrite) {
  InPlaceSink sink;
  sink.fail_commit = true;
  auto enc = SegmentedEncryptor::create(key_, header(), as_bytes("ctx"), sink).value();
  Bytes plain = random_.bytes(2 * kS);
  EXPECT_EQ(enc.write(plain).error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(enc.finish().ok());
}

TEST_F(SegmentedTest, EmptyPlaintextIsOneEmptyLastSegment) {
  Bytes blob = encrypt({});
  EXPECT_EQ(blob.size(), header_size(blob) + kGcmTagSize);
  // Cut back to the bare header: detected.
  expect_integrity_failure(Bytes(blob.begin(), blob.begin() + header_size(blob)), "bare header");
}

TEST_F(SegmentedTest, DetectsAnyFlippedHeaderByte) {
  Bytes blob = encrypt(random_.bytes(3 * kS + 5));
  for (std::size_t i = 0; i < header_size(blob); ++i) {
    Bytes bad = blob;
    bad[i] ^= 0x04;
    expect_integrity_failure(bad, "header byte " + std::to_string(i));
  }
}

TEST_F(SegmentedTest, DetectsFlipsInBodiesAndTags) {
  Bytes blob = encrypt(random_.bytes(3 * kS + 5));
  const std::size_t h = header_size(blob);
  for (std::size_t at : {h, h + 100, h + kS - 1, h + kS, h + kS + 15,  // segment 0 body, tag
                         h + kF + 5, h + 2 * kF + kS + 3,              // segment 1, tag of 2
                         blob.size() - 17, blob.size() - 1}) {         // last body, last tag
    Bytes bad = blob;
    bad[at] ^= 0x01;
    expect_integrity_failure(bad, "byte " + std::to_string(at));
  }
}

TEST_F(SegmentedTest, DetectsTruncationAnywhere) {
  Bytes blob = encrypt(random_.bytes(3 * kS + 5));
  const std::size_t h = header_size(blob);
  for (std::size_t keep : {std::size_t{0}, std::size_t{10}, h - 1, h, h + 1, h + 16, h + kS,
                           h + kF,                  // exactly one whole segment
                           h + 2 * kF, h + 3 * kF,  // whole trailing segments removed
                           h + 3 * kF + 4, blob.size() - 1}) {
    Bytes cut(blob.begin(), blob.begin() + keep);
    expect_integrity_failure(cut, "kept " + std::to_string(keep));
  }
}

TEST_F(SegmentedTest, DetectsReorderingDuplicationAndRemoval) {
  Bytes blob = encrypt(random_.bytes(3 * kS + 5));
  const std::size_t h = header_size(blob);
  auto seg = [&](std::size_t i) {
    return Bytes(blob.begin() + h + i * kF, blob.begin() + h + (i + 1) * kF);
  };

  const Bytes s0 = seg(0);
  const Bytes s1 = seg(1);

  Bytes swapped = blob;
  std::copy(s1.begin(), s1.end(), swapped.begin() + h);
  std::copy(s0.begin(), s0.end(), swapped.begin() + h + kF);
  expect_integrity_failure(swapped, "segments 0 and 1 swapped");

  Bytes replaced = blob;
  std::copy(s0.begin(), s0.end(), replaced.begin() + h + kF);
  expect_integrity_failure(replaced, "segment 1 replaced by a copy of 0");

  Bytes inserted = blob;
  inserted.insert(inserted.begin() + h + kF, s0.begin(), s0.end());
  expect_integrity_failure(inserted, "segment 0 duplicated");

  Bytes removed = blob;
  removed.erase(removed.begin() + h + kF, removed.begin() + h + 2 * kF);
  expect_integrity_failure(removed, "segment 1 removed");
}

TEST_F(SegmentedTest, DetectsAppendedBytes) {
  for (std::size_t size : {std::size_t{0}, std::size_t{100}, kS, 3 * kS + 5}) {
    Bytes blob = encrypt(random_.bytes(size));
    for (std::size_t extra :
         {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, kF, kF + 3}) {
      Bytes longer = blob;
      Bytes garbage = random_.bytes(extra);
      longer.insert(longer.end(), garbage.begin(), garbage.end());
      expect_integrity_failure(longer, std::to_string(size) + "+" + std::to_string(extra));
    }
  }
}

TEST_F(SegmentedTest, WrongKeyOrContextFails) {
  Bytes blob = encrypt(random_.bytes(1000));
  EXPECT_EQ(decrypt(blob, as_bytes("other")).error().code, ErrorCode::kIntegrity);
  SecretBytes other(random_.bytes(32));
  EXPECT_EQ(open_blob(blob, as_bytes("ctx"), &other).error().code, ErrorCode::kIntegrity);
}

TEST_F(SegmentedTest, RangeReadsAtSegmentBoundaries) {
  Bytes plain = random_.bytes(3 * kS + 5);
  Bytes blob = encrypt(plain);
  auto dec = open_blob(blob).value();
  ASSERT_EQ(dec.plaintext_size(), plain.size());
  const std::size_t p = plain.size();
  for (std::size_t offset : {std::size_t{0}, kS - 1, kS, kS + 1, 2 * kS - 3, 3 * kS, 3 * kS + 4}) {
    for (std::size_t len :
         {std::size_t{1}, std::size_t{2}, std::size_t{7}, kS, kS + 2, 2 * kS + 10}) {
      Bytes out(len);
      auto n = dec.read_at(offset, out);
      ASSERT_TRUE(n.ok());
      std::size_t expect = std::min(len, p - offset);
      ASSERT_EQ(*n, expect) << offset << "+" << len;
      EXPECT_TRUE(std::equal(out.begin(), out.begin() + expect, plain.begin() + offset))
          << offset << "+" << len;
    }
  }
  Bytes out(10);
  EXPECT_EQ(dec.read_at(p, out).value(), 0u);
  EXPECT_EQ(dec.read_at(p + 100, out).value(), 0u);
}

TEST_F(SegmentedTest, SmallRangeDecryptsOnlyTouchedSegments) {
  Bytes plain = random_.bytes(10 * kS + 123);
  Bytes blob = encrypt(plain, kS);
  auto dec = open_blob(blob).value();
  EXPECT_EQ(dec.segments_decrypted(), 1u);  // the last segment, which authenticates the length

  Bytes out(100);
  ASSERT_EQ(dec.read_at(3 * kS + 10, out).value(), 100u);
  EXPECT_EQ(dec.segments_decrypted(), 2u);
  ASSERT_EQ(dec.read_at(3 * kS + 500, out).value(), 100u);  // same segment: cached
  EXPECT_EQ(dec.segments_decrypted(), 2u);

  Bytes across(20);
  ASSERT_EQ(dec.read_at(5 * kS - 10, across).value(), 20u);  // segments 4 and 5
  EXPECT_EQ(dec.segments_decrypted(), 4u);
  EXPECT_TRUE(std::equal(across.begin(), across.end(), plain.begin() + 5 * kS - 10));

  ASSERT_EQ(dec.read_at(10 * kS + 3, out).value(), 100u);  // the last segment: kept from open
  EXPECT_EQ(dec.segments_decrypted(), 4u);
}

TEST_F(SegmentedTest, SequentialReadDecryptsEachSegmentOnce) {
  Bytes plain = random_.bytes(10 * kS + 123);
  Bytes blob = encrypt(plain, kS);
  for (std::size_t chunk : {std::size_t{1000}, kS, 4 * kS + 1, plain.size()}) {
    auto dec = open_blob(blob).value();
    Bytes out(plain.size());
    for (std::size_t at = 0; at < plain.size(); at += chunk)
      ASSERT_TRUE(
          dec.read_at(at, MutableByteView(out).subspan(at, std::min(chunk, plain.size() - at)))
              .ok());
    EXPECT_EQ(out, plain) << chunk;
    EXPECT_EQ(dec.segments_decrypted(), 11u) << chunk;
  }
}

TEST_F(SegmentedTest, SmallSegmentsRoundTrip) {
  Bytes plain = random_.bytes(10'000);
  MemorySink sink;
  auto enc = SegmentedEncryptor::create(key_, header(kMinSegmentSize), {}, sink).value();
  ASSERT_TRUE(enc.write(plain).ok());
  ASSERT_TRUE(enc.finish().ok());
  Bytes blob = sink.take();
  EXPECT_EQ(blob.size(), ciphertext_size(header_size(blob), kMinSegmentSize, plain.size()));
  auto dec = open_blob(blob, {}).value();
  Bytes out(plain.size());
  ASSERT_EQ(dec.read_at(0, out).value(), plain.size());
  EXPECT_EQ(out, plain);
}

TEST_F(SegmentedTest, NoWritesAfterFinish) {
  MemorySink sink;
  auto enc = SegmentedEncryptor::create(key_, header(), {}, sink).value();
  ASSERT_TRUE(enc.finish().ok());
  EXPECT_FALSE(enc.write(as_bytes("x")).ok());
  EXPECT_FALSE(enc.finish().ok());
}

class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(std::size_t budget) : budget_(budget) {}
  Result<void> write(ByteView data) override {
    if (data.size() > budget_)
      return make_error(ErrorCode::kOutOfSpace, "full");
    budget_ -= data.size();
    return ok();
  }

 private:
  std::size_t budget_;
};

TEST_F(SegmentedTest, SinkErrorsPropagateAndStopTheEncryptor) {
  FailingSink sink(2000);
  auto enc = SegmentedEncryptor::create(key_, header(), {}, sink).value();
  auto r = enc.write(random_.bytes(3 * kS));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kOutOfSpace);
  EXPECT_FALSE(enc.write(as_bytes("x")).ok());
  EXPECT_FALSE(enc.finish().ok());
}

TEST(BlobHeaderTest, EncodeParseRoundTripAndLimits) {
  BlobHeader h;
  h.nonce_prefix = {1, 2, 3, 4, 5, 6, 7};
  h.key_id = "patient:abc:def";
  h.wrapped_key = Bytes(61, 9);
  Bytes raw = encode_header(h).value();
  EXPECT_EQ(raw.size(), 26 + h.key_id.size() + 61);
  EXPECT_EQ(std::string(raw.begin(), raw.begin() + 8), "ARCABLOB");
  auto p = parse_header(raw).value();
  EXPECT_EQ(p.raw, raw);
  EXPECT_EQ(p.header.key_id, h.key_id);
  EXPECT_EQ(p.header.wrapped_key, h.wrapped_key);
  EXPECT_EQ(p.header.nonce_prefix, h.nonce_prefix);
  EXPECT_EQ(p.header.segment_size, kDefaultSegmentSize);

  BlobHeader bad = h;
  bad.key_id = "has space";
  EXPECT_EQ(encode_header(bad).error().code, ErrorCode::kInvalidArgument);
  bad = h;
  bad.segment_size = 100;
  EXPECT_EQ(encode_header(bad).error().code, ErrorCode::kInvalidArgument);
  bad = h;
  bad.key_id = std::string(256, 'k');
  EXPECT_FALSE(encode_header(bad).ok());
  EXPECT_EQ(parse_header(ByteView(raw).first(raw.size() - 1)).error().code, ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace arca::crypto
