#include "http/tls_certificate.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>

#include "http/https_test_support.h"

namespace arca::http {
namespace {

TEST(TlsCertificate, SelfSignedHasSansAndPrivateKeyMode) {
  testing::ScratchDir dir;
  CertificateFiles files{dir.path() / "c.pem", dir.path() / "k.pem"};
  SeededRandom random(3);
  SystemClock clock;
  ASSERT_TRUE(ensure_certificate(files, {clock.now(), 30}, random).ok());
  struct stat st {};
  ASSERT_EQ(::stat(files.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  std::FILE* f = std::fopen(files.certificate.c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(cert, "example.com", 0, 0, nullptr), 0);
  EVP_PKEY* key = X509_get0_pubkey(cert);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  X509_free(cert);

  // An existing pair is left alone; half a pair is an error.
  auto before = std::filesystem::last_write_time(files.certificate);
  ASSERT_TRUE(ensure_certificate(files, {clock.now(), 30}, random).ok());
  EXPECT_EQ(std::filesystem::last_write_time(files.certificate), before);
  std::filesystem::remove(files.key);
  EXPECT_FALSE(ensure_certificate(files, {clock.now(), 30}, random).ok());
}

}  // namespace
}  // namespace arca::http
