#include "crypto/password.h"

#include <gtest/gtest.h>

#include "core/bytes.h"

namespace arca::crypto {
namespace {

// Small parameters keep the unit tests fast; production defaults are tested once below.
const Argon2Params kFast{8 * 1024, 1, 1};

TEST(Argon2id, Rfc9106KnownAnswer) {
  // RFC 9106 §5.3: password 32×0x01, salt 16×0x02, secret 8×0x03, ad 12×0x04, t=3, m=32 KiB, p=4.
  Bytes password(32, 0x01), salt(16, 0x02), secret(8, 0x03), ad(12, 0x04);
  auto tag = argon2id_raw(password, salt, secret, ad, Argon2Params{32, 3, 4}, 32);
  ASSERT_TRUE(tag.ok()) << tag.error().message;
  EXPECT_EQ(to_hex(*tag), "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
}

TEST(Argon2id, HashesVerifyAndRejectOtherPasswords) {
  SeededRandom random(1);
  auto h = hash_password(SecretString("correct horse battery"), kFast, random);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0), 0U) << *h;
  EXPECT_TRUE(*verify_password(SecretString("correct horse battery"), *h));
  EXPECT_FALSE(*verify_password(SecretString("correct horse batterz"), *h));
  EXPECT_FALSE(*verify_password(SecretString(""), *h));
}

TEST(Argon2id, SaltMakesEachHashDifferent) {
  SeededRandom random(2);
  auto a = hash_password(SecretString("same password"), kFast, random);
  auto b = hash_password(SecretString("same password"), kFast, random);
  EXPECT_NE(*a, *b);
}

TEST(Argon2id, DefaultsAreOwaspMinimum) {
  Argon2Params d;
  EXPECT_GE(d.memory_kib, 19U * 1024);
  EXPECT_GE(d.iterations, 2U);
  SeededRandom random(3);
  auto h = hash_password(SecretString("a long enough password"), d, random);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find("m=19456,t=2,p=1"), std::string::npos);
  EXPECT_FALSE(needs_rehash(*h, d));
  EXPECT_TRUE(needs_rehash(*h, Argon2Params{64 * 1024, 3, 1}));
}

TEST(Argon2id, RefusesWeakParametersAndHugePasswords) {
  SeededRandom random(4);
  EXPECT_FALSE(hash_password(SecretString("pw"), Argon2Params{1024, 1, 1}, random).ok());
  EXPECT_FALSE(hash_password(SecretString(std::string(2000, 'x')), kFast, random).ok());
}

TEST(Argon2id, MalformedStoredHashIsAnError) {
  EXPECT_FALSE(verify_password(SecretString("x"), "plaintext").ok());
  EXPECT_FALSE(verify_password(SecretString("x"), "$argon2id$v=19$m=8192,t=1,p=1$zz").ok());
}

}  // namespace
}  // namespace arca::crypto
