#include "crypto/totp.h"

#include <gtest/gtest.h>

#include <string>

namespace arca::crypto {
namespace {

SecretBytes ascii_secret(const std::string& s) {
  return SecretBytes(Bytes(s.begin(), s.end()));
}

struct Vector {
  std::int64_t time;
  const char* sha1;
  const char* sha256;
  const char* sha512;
};

// RFC 6238 Appendix B.
constexpr Vector kVectors[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
};

TEST(Totp, Rfc6238Vectors) {
  auto s1 = ascii_secret("12345678901234567890");
  auto s256 = ascii_secret("12345678901234567890123456789012");
  auto s512 = ascii_secret("1234567890123456789012345678901234567890123456789012345678901234");
  for (const Vector& v : kVectors) {
    EXPECT_EQ(*totp_code(s1, v.time, {8, 30, TotpHash::kSha1}), v.sha1) << v.time;
    EXPECT_EQ(*totp_code(s256, v.time, {8, 30, TotpHash::kSha256}), v.sha256) << v.time;
    EXPECT_EQ(*totp_code(s512, v.time, {8, 30, TotpHash::kSha512}), v.sha512) << v.time;
  }
}

TEST(Totp, MatchesWithinOneStepAndReportsTheStep) {
  auto s = ascii_secret("12345678901234567890");
  const std::int64_t now = 1111111111;  // step 37037037
  std::string code = *totp_code(s, now);
  ASSERT_EQ(code.size(), 6U);
  EXPECT_EQ(match_totp(s, code, now), std::optional<std::uint64_t>(37037037));
  EXPECT_EQ(match_totp(s, code, now + 30), std::optional<std::uint64_t>(37037037));
  EXPECT_EQ(match_totp(s, code, now - 30), std::optional<std::uint64_t>(37037037));
  EXPECT_FALSE(match_totp(s, code, now + 60).has_value());
  EXPECT_FALSE(match_totp(s, code, now - 60).has_value());
}

TEST(Totp, RejectsMalformedCodes) {
  auto s = ascii_secret("12345678901234567890");
  EXPECT_FALSE(match_totp(s, "", 59).has_value());
  EXPECT_FALSE(match_totp(s, "12345", 59).has_value());
  EXPECT_FALSE(match_totp(s, "12345a", 59).has_value());
  EXPECT_FALSE(match_totp(s, "1234567", 59).has_value());
}

TEST(Totp, Base32AndUri) {
  EXPECT_EQ(base32_encode(Bytes{'f', 'o', 'o', 'b', 'a', 'r'}), "MZXW6YTBOI");
  auto s = ascii_secret("12345678901234567890");
  std::string uri = otpauth_uri("Arca", "dr house@clinic", s);
  EXPECT_EQ(uri,
            "otpauth://totp/Arca:dr%20house%40clinic?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Arca&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, NewSecretsAre160BitsAndDiffer) {
  SeededRandom r(7);
  auto a = new_totp_secret(r);
  auto b = new_totp_secret(r);
  EXPECT_EQ(a.reveal().size(), 20U);
  EXPECT_NE(a.reveal(), b.reveal());
}

}  // namespace
}  // namespace arca::crypto
