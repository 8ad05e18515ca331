#include "http/tls_certificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>

#include "core/file.h"
#include "core/secret.h"

namespace arca::http {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Error ssl_error(std::string_view what) {
  return make_error(ErrorCode::kInternal, "OpenSSL: " + std::string(what));
}

Bytes drain(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n <= 0)
    return {};
  auto* begin = reinterpret_cast<const std::uint8_t*>(data);
  return Bytes(begin, begin + n);
}

Result<void> add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return ssl_error("adding certificate extension");
  return ok();
}

Result<void> set_serial(X509* cert, Random& random) {
  Bytes serial = random.bytes(16);
  serial[0] &= 0x7F;  // positive
  serial[0] |= 0x40;  // and full length
  BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr)
    return ssl_error("setting serial number");
  return ok();
}

Result<CertPtr> make_certificate(EVP_PKEY* key, const SelfSignedOptions& options, Random& random) {
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1)
    return ssl_error("creating certificate");
  ARCA_TRY(set_serial(cert.get(), random));
  auto start = std::chrono::system_clock::to_time_t(options.not_before);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), start) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), start, options.valid_days, 0) == nullptr)
    return ssl_error("setting validity");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Arca"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  if (X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key) != 1)
    return ssl_error("setting names");
  ARCA_TRY(add_extension(cert.get(), NID_subject_alt_name,
                         "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"));
  ARCA_TRY(add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  ARCA_TRY(add_extension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  ARCA_TRY(add_extension(cert.get(), NID_ext_key_usage, "serverAuth"));
  ARCA_TRY(add_extension(cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0)
    return ssl_error("signing certificate");
  return cert;
}

}  // namespace

Result<void> generate_self_signed_certificate(const CertificateFiles& files,
                                              const SelfSignedOptions& options, Random& random) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key)
    return ssl_error("generating EC P-256 key");
  CertPtr cert = ARCA_TRY(make_certificate(key.get(), options, random));

  BioPtr key_bio(BIO_new(BIO_s_secmem()));  // wiped when freed
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1)
    return ssl_error("encoding PEM");
  SecretBytes key_pem(drain(key_bio.get()));
  Bytes cert_pem = drain(cert_bio.get());
  ARCA_TRY(write_file_atomic(files.key, key_pem.reveal(), 0600));
  return write_file_atomic(files.certificate, cert_pem, 0644);
}

Result<void> ensure_certificate(const CertificateFiles& files, const SelfSignedOptions& options,
                                Random& random) {
  std::error_code ec;
  bool have_cert = std::filesystem::exists(files.certificate, ec);
  bool have_key = std::filesystem::exists(files.key, ec);
  if (have_cert && have_key)
    return ok();
  if (have_cert || have_key)
    return make_error(ErrorCode::kInvalidArgument,
                      "TLS certificate and key must both exist or both be absent");
  return generate_self_signed_certificate(files, options, random);
}

}  // namespace arca::http
