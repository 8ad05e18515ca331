#include "crypto/hash.h"

#include <gtest/gtest.h>

namespace arca::crypto {
namespace {

Bytes hex(std::string_view h) {
  return from_hex(h).value();
}

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(to_hex(sha256(as_bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, StreamingMatchesOneShotAndRestarts) {
  Sha256 h;
  h.update(as_bytes("a"));
  h.update(as_bytes(""));
  h.update(as_bytes("bc"));
  EXPECT_EQ(h.finish(), sha256(as_bytes("abc")));
  h.update(as_bytes("abc"));
  EXPECT_EQ(h.finish(), sha256(as_bytes("abc")));
}

TEST(HmacSha256Test, Rfc4231Case1) {
  Bytes key(20, 0x0b);
  EXPECT_EQ(to_hex(hmac_sha256(key, as_bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256Test, Rfc4231Case2) {
  EXPECT_EQ(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HkdfSha256Test, Rfc5869Case1) {
  Bytes ikm(22, 0x0b);
  auto okm = hkdf_sha256(ikm, hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(to_hex(okm->reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfSha256Test, Rfc5869Case3EmptySaltAndInfo) {
  Bytes ikm(22, 0x0b);
  auto okm = hkdf_sha256(ikm, {}, {}, 42);
  ASSERT_TRUE(okm.ok());
  EXPECT_EQ(to_hex(okm->reveal()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfSha256Test, RejectsBadLengths) {
  Bytes ikm(32, 1);
  EXPECT_EQ(hkdf_sha256(ikm, {}, {}, 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(hkdf_sha256(ikm, {}, {}, 255 * 32 + 1).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(hkdf_sha256({}, {}, {}, 32).error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(hkdf_sha256(ikm, {}, {}, 255 * 32).ok());
}

TEST(ConstantTimeEqualTest, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal(as_bytes("secret"), as_bytes("secret")));
  EXPECT_FALSE(constant_time_equal(as_bytes("secret"), as_bytes("secreT")));
  EXPECT_FALSE(constant_time_equal(as_bytes("secret"), as_bytes("secrets")));
  EXPECT_TRUE(constant_time_equal({}, {}));
}

}  // namespace
}  // namespace arca::crypto
