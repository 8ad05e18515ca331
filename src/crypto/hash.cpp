#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>

namespace arca::crypto {
namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "arca: OpenSSL %s failed\n", what);
    std::abort();
  }
}

// SHA-256 fetched from the default provider once: EVP_sha256() is a legacy handle that OpenSSL 3
// fetches again on every EVP_Digest / EVP_DigestInit_ex (a lookup under a lock; ~0.3 µs, as much
// as hashing an audit record).
const EVP_MD* sha256_md() {
  static EVP_MD* const md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    check(m != nullptr, "SHA256 fetch");
    return m;
  }();
  return md;
}

}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  Impl() : ctx(EVP_MD_CTX_new()) {
    check(ctx != nullptr, "EVP_MD_CTX_new");
    check(EVP_DigestInit_ex(ctx, sha256_md(), nullptr) == 1, "sha256 init");
  }
  ~Impl() { EVP_MD_CTX_free(ctx); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(ByteView data) {
  check(EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) == 1, "sha256 update");
}

Digest Sha256::finish() {
  Digest out{};
  unsigned int n = 0;
  check(EVP_DigestFinal_ex(impl_->ctx, out.data(), &n) == 1 && n == out.size(), "sha256 final");
  check(EVP_DigestInit_ex(impl_->ctx, sha256_md(), nullptr) == 1, "sha256 init");
  return out;
}

Digest sha256(ByteView data) {
  Digest out{};
  unsigned int n = 0;
  check(EVP_Digest(data.data(), data.size(), out.data(), &n, sha256_md(), nullptr) == 1, "sha256");
  return out;
}

Digest hmac_sha256(ByteView key, ByteView data) {
  Digest out{};
  unsigned int n = 0;
  // HMAC() rejects a null key pointer even for an empty key.
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* k = key.empty() ? &kEmpty : key.data();
  check(HMAC(EVP_sha256(), k, static_cast<int>(key.size()), data.data(), data.size(), out.data(),
             &n) != nullptr &&
            n == out.size(),
        "hmac-sha256");
  return out;
}

Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  if (length == 0 || length > 255 * kSha256Size)
    return make_error(ErrorCode::kInvalidArgument, "hkdf: output length out of range");
  if (ikm.empty())
    return make_error(ErrorCode::kInvalidArgument, "hkdf: empty input key");
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  check(kdf != nullptr, "HKDF fetch");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  check(ctx != nullptr, "EVP_KDF_CTX_new");

  static const std::uint8_t kEmpty = 0;
  auto octets = [](const char* name, ByteView v) {
    void* p = const_cast<std::uint8_t*>(v.empty() ? &kEmpty : v.data());
    return OSSL_PARAM_construct_octet_string(name, p, v.size());
  };
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t i = 0;
  params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[i++] = octets(OSSL_KDF_PARAM_KEY, ikm);
  if (!salt.empty())
    params[i++] = octets(OSSL_KDF_PARAM_SALT, salt);
  params[i++] = octets(OSSL_KDF_PARAM_INFO, info);
  params[i] = OSSL_PARAM_construct_end();

  Bytes out(length);
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  SecretBytes key(std::move(out));
  if (rc != 1)
    return make_error(ErrorCode::kInternal, "hkdf: derivation failed");
  return key;
}

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size() != b.size())
    return false;
  if (a.empty())
    return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace arca::crypto
