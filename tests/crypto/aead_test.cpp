#include "crypto/aead.h"

#include <gtest/gtest.h>

#include "crypto/system_random.h"

namespace arca::crypto {
namespace {

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, with AAD).
TEST(AesGcmTest, GcmSpecTestCase16) {
  Bytes key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  Bytes iv = hex("cafebabefacedbaddecaf888");
  Bytes aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  Bytes pt = hex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6"
      "b525b16aedf5aa0de657ba637b39");
  std::string ct =
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
      "828838c5f61e6393ba7a0abcc9f662";
  std::string tag = "76fc6ece0f4e1768cddf8853bb2d551b";
  auto sealed = seal(key, iv, aad, pt);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(to_hex(*sealed), ct + tag);
  auto opened = open(key, iv, aad, *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->reveal(), pt);
}

// Test case 13: empty plaintext, zero key and IV.
TEST(AesGcmTest, GcmSpecTestCase13) {
  Bytes key(32, 0);
  Bytes iv(12, 0);
  auto sealed = seal(key, iv, {}, {});
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(to_hex(*sealed), "530f8afbc74536b9a963b4f1c4cb738b");
}

TEST(AesGcmTest, DetectsTamperingAndWrongAad) {
  Bytes key(32, 7);
  Bytes iv(12, 1);
  auto sealed = seal(key, iv, as_bytes("aad"), as_bytes("hello world")).value();
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    auto r = open(key, iv, as_bytes("aad"), bad);
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
  }
  EXPECT_EQ(open(key, iv, as_bytes("aaD"), sealed).error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(open(key, iv, as_bytes("aad"), ByteView(sealed).first(10)).error().code,
            ErrorCode::kIntegrity);
}

TEST(AesGcmTest, ReusedContextSealsAndOpensInPlace) {
  auto gcm = Aes256Gcm::create(Bytes(32, 3)).value();
  for (int round = 0; round < 3; ++round) {
    Bytes nonce(12, static_cast<std::uint8_t>(round));
    Bytes buf(100 + 16);
    for (std::size_t i = 0; i < 100; ++i)
      buf[i] = static_cast<std::uint8_t>(i + round);
    Bytes plain(buf.begin(), buf.begin() + 100);
    ASSERT_TRUE(gcm.seal(nonce, {}, ByteView(buf).first(100), buf).ok());
    EXPECT_NE(Bytes(buf.begin(), buf.begin() + 100), plain);
    ASSERT_TRUE(gcm.open(nonce, {}, buf, MutableByteView(buf).first(100)).ok());
    EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 100), plain);
  }
}

TEST(AesGcmTest, RejectsBadKeyAndNonceSizes) {
  EXPECT_EQ(Aes256Gcm::create(Bytes(16, 0)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(seal(Bytes(32, 0), Bytes(8, 0), {}, {}).error().code, ErrorCode::kInvalidArgument);
}

TEST(KeyWrapTest, RoundTripAndBinding) {
  SystemRandom random;
  SecretBytes kek(random.bytes(32));
  SecretBytes key(random.bytes(32));
  auto wrapped = wrap_key(kek, key, as_bytes("patient:1"), random).value();
  EXPECT_EQ(wrapped.size(), 61u);
  auto unwrapped = unwrap_key(kek, wrapped, as_bytes("patient:1"));
  ASSERT_TRUE(unwrapped.ok());
  EXPECT_EQ(unwrapped->reveal(), key.reveal());

  // Another id, another KEK, any flipped byte: refused.
  EXPECT_EQ(unwrap_key(kek, wrapped, as_bytes("patient:2")).error().code, ErrorCode::kIntegrity);
  SecretBytes other(random.bytes(32));
  EXPECT_EQ(unwrap_key(other, wrapped, as_bytes("patient:1")).error().code, ErrorCode::kIntegrity);
  for (std::size_t i = 0; i < wrapped.size(); ++i) {
    Bytes bad = wrapped;
    bad[i] ^= 0x80;
    EXPECT_EQ(unwrap_key(kek, bad, as_bytes("patient:1")).error().code, ErrorCode::kIntegrity);
  }
  EXPECT_EQ(unwrap_key(kek, {}, as_bytes("patient:1")).error().code, ErrorCode::kIntegrity);
}

TEST(KeyWrapTest, FreshNonceEachTime) {
  SystemRandom random;
  SecretBytes kek(random.bytes(32));
  SecretBytes key(random.bytes(32));
  EXPECT_NE(wrap_key(kek, key, {}, random).value(), wrap_key(kek, key, {}, random).value());
}

}  // namespace
}  // namespace arca::crypto
