#include "auth/credentials.h"

#include <cctype>

#include "crypto/aead.h"
#include "crypto/hash.h"

namespace arca::auth {
namespace {

// Crockford's base32 alphabet (no i, l, o, u), so codes copied by hand survive.
constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

std::string random_symbols(Random& random, std::size_t n) {
  Bytes raw = random.bytes(n);
  std::string out;
  out.reserve(n);
  for (std::uint8_t b : raw)
    out += kAlphabet[b % 32];
  secure_wipe(raw.data(), raw.size());
  return out;
}

ByteView as_bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace

Bytes CredentialKeys::digest(std::string_view purpose, std::string_view secret) const {
  Bytes msg(purpose.begin(), purpose.end());
  msg.push_back(0);
  msg.insert(msg.end(), secret.begin(), secret.end());
  crypto::Digest d = crypto::hmac_sha256(key_.reveal(), msg);
  secure_wipe(msg.data(), msg.size());
  return Bytes(d.begin(), d.end());
}

std::string CredentialKeys::csrf_token(const SecretString& session_id) const {
  Bytes d = digest("csrf", session_id.reveal());
  return to_hex(d);
}

Result<Bytes> CredentialKeys::wrap_totp_secret(const SecretBytes& secret, std::int64_t user,
                                               Random& random) const {
  std::string context = "totp:user:" + std::to_string(user);
  return crypto::wrap_key(key_, secret, as_bytes(context), random);
}

Result<SecretBytes> CredentialKeys::unwrap_totp_secret(ByteView wrapped, std::int64_t user) const {
  std::string context = "totp:user:" + std::to_string(user);
  return crypto::unwrap_key(key_, wrapped, as_bytes(context));
}

SecretString new_session_id(Random& random) {
  return SecretString(random.hex(32));
}

SecretString new_api_token(Random& random) {
  return SecretString("arca_" + random.hex(32));
}

std::vector<std::string> new_recovery_codes(Random& random, std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    std::string s = random_symbols(random, 12);
    out.push_back(s.substr(0, 4) + "-" + s.substr(4, 4) + "-" + s.substr(8, 4));
  }
  return out;
}

std::string normalize_recovery_code(std::string_view code) {
  std::string out;
  for (unsigned char c : code) {
    if (c == '-' || std::isspace(c))
      continue;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

SecretString new_one_time_password(Random& random) {
  return SecretString(random_symbols(random, 20));
}

}  // namespace arca::auth
