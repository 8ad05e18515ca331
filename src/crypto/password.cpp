#include "crypto/password.h"

#include <argon2.h>

#include <charconv>
#include <cstdio>
#include <vector>

namespace arca::crypto {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMaxPasswordBytes = 1024;

Result<void> check_params(const Argon2Params& p) {
  if (p.memory_kib < 8 * 1024 || p.iterations < 1 || p.parallelism < 1 || p.parallelism > 16)
    return make_error(ErrorCode::kInvalidArgument, "Argon2id parameters below the accepted floor");
  return ok();
}

// Reads "m=…,t=…,p=…" from a PHC string; nullopt-like zeros when absent.
Argon2Params parse_params(std::string_view encoded) {
  Argon2Params p{0, 0, 0};
  auto read = [&](std::string_view key, std::uint32_t& out) {
    std::size_t at = encoded.find(key);
    if (at == std::string_view::npos)
      return;
    const char* first = encoded.data() + at + key.size();
    std::from_chars(first, encoded.data() + encoded.size(), out);
  };
  read("$m=", p.memory_kib);
  read(",t=", p.iterations);
  read(",p=", p.parallelism);
  return p;
}

}  // namespace

Result<std::string> hash_password(const SecretString& password, const Argon2Params& params,
                                  Random& random) {
  ARCA_TRY(check_params(params));
  const std::string& pw = password.reveal();
  if (pw.size() > kMaxPasswordBytes)
    return make_error(ErrorCode::kInvalidArgument, "password longer than 1024 bytes");
  Bytes salt = random.bytes(kSaltBytes);
  std::size_t len = argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                      kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(len, '\0');
  int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                 pw.data(), pw.size(), salt.data(), salt.size(), kHashBytes,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK)
    return make_error(ErrorCode::kInternal,
                      std::string("Argon2id failed: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

Result<bool> verify_password(const SecretString& password, std::string_view encoded) {
  if (encoded.rfind("$argon2id$", 0) != 0)
    return make_error(ErrorCode::kInvalidArgument, "not an Argon2id hash");
  const std::string& pw = password.reveal();
  if (pw.size() > kMaxPasswordBytes)
    return false;
  std::string z(encoded);
  int rc = argon2id_verify(z.c_str(), pw.data(), pw.size());
  if (rc == ARGON2_OK)
    return true;
  if (rc == ARGON2_VERIFY_MISMATCH)
    return false;
  return make_error(ErrorCode::kInvalidArgument,
                    std::string("malformed Argon2id hash: ") + argon2_error_message(rc));
}

bool needs_rehash(std::string_view encoded, const Argon2Params& params) {
  if (encoded.rfind("$argon2id$v=19$", 0) != 0)
    return true;
  Argon2Params have = parse_params(encoded);
  return have.memory_kib < params.memory_kib || have.iterations < params.iterations ||
         have.parallelism < params.parallelism;
}

Result<Bytes> argon2id_raw(ByteView password, ByteView salt, ByteView secret, ByteView ad,
                           const Argon2Params& params, std::size_t tag_length) {
  Bytes out(tag_length);
  // libargon2 takes non-const pointers but does not write through them.
  std::vector<std::uint8_t> pwd(password.begin(), password.end());
  std::vector<std::uint8_t> slt(salt.begin(), salt.end());
  std::vector<std::uint8_t> sec(secret.begin(), secret.end());
  std::vector<std::uint8_t> assoc(ad.begin(), ad.end());
  argon2_context ctx{};
  ctx.out = out.data();
  ctx.outlen = static_cast<std::uint32_t>(out.size());
  ctx.pwd = pwd.data();
  ctx.pwdlen = static_cast<std::uint32_t>(pwd.size());
  ctx.salt = slt.data();
  ctx.saltlen = static_cast<std::uint32_t>(slt.size());
  ctx.secret = sec.empty() ? nullptr : sec.data();
  ctx.secretlen = static_cast<std::uint32_t>(sec.size());
  ctx.ad = assoc.empty() ? nullptr : assoc.data();
  ctx.adlen = static_cast<std::uint32_t>(assoc.size());
  ctx.t_cost = params.iterations;
  ctx.m_cost = params.memory_kib;
  ctx.lanes = params.parallelism;
  ctx.threads = params.parallelism;
  ctx.version = ARGON2_VERSION_13;
  int rc = argon2id_ctx(&ctx);
  if (rc != ARGON2_OK)
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("Argon2id failed: ") + argon2_error_message(rc));
  return out;
}

}  // namespace arca::crypto
