#include "crypto/aead.h"

#include <openssl/evp.h>

#include <algorithm>

namespace arca::crypto {
namespace {

constexpr std::uint8_t kWrapFormat = 0x01;
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;  // EVP lengths are int

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

Error internal(const char* what) {
  return make_error(ErrorCode::kInternal, std::string("aes-gcm: ") + what);
}

// Feeds `in` through EVP_CipherUpdate in int-sized chunks into `out` (same length).
bool update(EVP_CIPHER_CTX* ctx, ByteView in, std::uint8_t* out) {
  while (!in.empty()) {
    std::size_t n = std::min(in.size(), kMaxChunk);
    int len = 0;
    if (EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(n)) != 1 ||
        static_cast<std::size_t>(len) != n)
      return false;
    in = in.subspan(n);
    out += n;
  }
  return true;
}

bool add_aad(EVP_CIPHER_CTX* ctx, ByteView aad) {
  while (!aad.empty()) {
    std::size_t n = std::min(aad.size(), kMaxChunk);
    int len = 0;
    if (EVP_CipherUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(n)) != 1)
      return false;
    aad = aad.subspan(n);
  }
  return true;
}

}  // namespace

struct Aes256Gcm::Impl {
  SecretBytes key;
  CtxPtr enc;
  CtxPtr dec;

  // The context for one direction, keyed on first use and re-used after (IV reset only).
  EVP_CIPHER_CTX* begin(CtxPtr& slot, int encrypt, ByteView nonce) {
    if (!slot) {
      CtxPtr c(EVP_CIPHER_CTX_new());
      if (!c || EVP_CipherInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.reveal().data(),
                                  nonce.data(), encrypt) != 1)
        return nullptr;
      slot = std::move(c);
      return slot.get();
    }
    if (EVP_CipherInit_ex(slot.get(), nullptr, nullptr, nullptr, nonce.data(), encrypt) != 1)
      return nullptr;
    return slot.get();
  }
};

Aes256Gcm::Aes256Gcm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Aes256Gcm::Aes256Gcm(Aes256Gcm&&) noexcept = default;
Aes256Gcm& Aes256Gcm::operator=(Aes256Gcm&&) noexcept = default;
Aes256Gcm::~Aes256Gcm() = default;

Result<Aes256Gcm> Aes256Gcm::create(ByteView key) {
  if (key.size() != kAesKeySize)
    return make_error(ErrorCode::kInvalidArgument, "aes-gcm: key must be 32 bytes");
  auto impl = std::make_unique<Impl>();
  impl->key = SecretBytes(Bytes(key.begin(), key.end()));
  return Aes256Gcm(std::move(impl));
}

Result<void> Aes256Gcm::seal(ByteView nonce, ByteView aad, ByteView plaintext,
                             MutableByteView out) {
  if (nonce.size() != kGcmNonceSize || out.size() != plaintext.size() + kGcmTagSize)
    return make_error(ErrorCode::kInvalidArgument, "aes-gcm: bad nonce or buffer size");
  EVP_CIPHER_CTX* ctx = impl_->begin(impl_->enc, 1, nonce);
  if (ctx == nullptr || !add_aad(ctx, aad) || !update(ctx, plaintext, out.data()))
    return internal("encrypt");
  int len = 0;
  std::uint8_t* tag = out.data() + plaintext.size();
  if (EVP_EncryptFinal_ex(ctx, tag, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize), tag) != 1)
    return internal("finish");
  return ok();
}

Result<void> Aes256Gcm::open(ByteView nonce, ByteView aad, ByteView sealed, MutableByteView out) {
  if (nonce.size() != kGcmNonceSize || sealed.size() < kGcmTagSize ||
      out.size() != sealed.size() - kGcmTagSize)
    return make_error(ErrorCode::kInvalidArgument, "aes-gcm: bad nonce or buffer size");
  // Copy the tag first: decrypting in place overwrites nothing past the ciphertext, but the
  // ctrl call wants a mutable pointer.
  std::uint8_t tag[kGcmTagSize];
  std::copy_n(sealed.data() + out.size(), kGcmTagSize, tag);
  EVP_CIPHER_CTX* ctx = impl_->begin(impl_->dec, 0, nonce);
  if (ctx == nullptr || !add_aad(ctx, aad) || !update(ctx, sealed.first(out.size()), out.data()))
    return internal("decrypt");
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize), tag) != 1)
    return internal("set tag");
  int len = 0;
  if (EVP_DecryptFinal_ex(ctx, tag, &len) != 1) {
    if (!out.empty())
      secure_wipe(out.data(), out.size());
    return make_error(ErrorCode::kIntegrity, "authentication failed");
  }
  return ok();
}

Result<Bytes> seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  auto gcm = ARCA_TRY(Aes256Gcm::create(key));
  Bytes out(plaintext.size() + kGcmTagSize);
  ARCA_TRY(gcm.seal(nonce, aad, plaintext, out));
  return out;
}

Result<SecretBytes> open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
  if (sealed.size() < kGcmTagSize)
    return make_error(ErrorCode::kIntegrity, "authentication failed: too short");
  auto gcm = ARCA_TRY(Aes256Gcm::create(key));
  Bytes plain(sealed.size() - kGcmTagSize);
  auto r = gcm.open(nonce, aad, sealed, plain);
  SecretBytes out(std::move(plain));
  if (!r.ok())
    return std::move(r).error();
  return out;
}

namespace {

Bytes wrap_aad(ByteView context) {
  Bytes aad;
  aad.reserve(1 + context.size());
  aad.push_back(kWrapFormat);
  aad.insert(aad.end(), context.begin(), context.end());
  return aad;
}

}  // namespace

Result<Bytes> wrap_key(const SecretBytes& kek, const SecretBytes& key, ByteView context,
                       Random& random) {
  auto gcm = ARCA_TRY(Aes256Gcm::create(kek.reveal()));
  const Bytes& k = key.reveal();
  Bytes out(1 + kGcmNonceSize + k.size() + kGcmTagSize);
  out[0] = kWrapFormat;
  MutableByteView nonce = MutableByteView(out).subspan(1, kGcmNonceSize);
  random.fill(nonce);
  ARCA_TRY(gcm.seal(nonce, wrap_aad(context), k, MutableByteView(out).subspan(1 + kGcmNonceSize)));
  return out;
}

Result<SecretBytes> unwrap_key(const SecretBytes& kek, ByteView wrapped, ByteView context) {
  if (wrapped.size() < 1 + kGcmNonceSize + kGcmTagSize + 1 || wrapped[0] != kWrapFormat)
    return make_error(ErrorCode::kIntegrity, "wrapped key is malformed");
  auto gcm = ARCA_TRY(Aes256Gcm::create(kek.reveal()));
  ByteView sealed = wrapped.subspan(1 + kGcmNonceSize);
  Bytes plain(sealed.size() - kGcmTagSize);
  auto r = gcm.open(wrapped.subspan(1, kGcmNonceSize), wrap_aad(context), sealed, plain);
  SecretBytes key(std::move(plain));
  if (!r.ok())
    return make_error(ErrorCode::kIntegrity, "wrapped key does not unwrap (wrong key or context)");
  return key;
}

}  // namespace arca::crypto
