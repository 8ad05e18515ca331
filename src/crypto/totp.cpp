#include "crypto/totp.h"

#include <liboath/oath.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>

#include "crypto/hash.h"

namespace arca::crypto {
namespace {

// liboath keeps its initialisation process-global; oath_init must run once before any use.
void ensure_oath() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

int oath_flags(TotpHash h) {
  switch (h) {
    case TotpHash::kSha1:
      return 0;
    case TotpHash::kSha256:
      return OATH_TOTP_HMAC_SHA256;
    case TotpHash::kSha512:
      return OATH_TOTP_HMAC_SHA512;
  }
  return 0;
}

std::string_view hash_name(TotpHash h) {
  switch (h) {
    case TotpHash::kSha1:
      return "SHA1";
    case TotpHash::kSha256:
      return "SHA256";
    case TotpHash::kSha512:
      return "SHA512";
  }
  return "SHA1";
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

const char* secret_chars(const SecretBytes& s) {
  return reinterpret_cast<const char*>(s.reveal().data());
}

}  // namespace

SecretBytes new_totp_secret(Random& random) {
  return SecretBytes(random.bytes(kTotpSecretBytes));
}

std::string base32_encode(ByteView bytes) {
  ensure_oath();
  char* out = nullptr;
  std::size_t len = 0;
  if (oath_base32_encode(reinterpret_cast<const char*>(bytes.data()), bytes.size(), &out, &len) !=
      OATH_OK)
    return {};
  std::string s(out, len);
  secure_wipe(out, len);
  std::free(out);
  s.erase(std::remove(s.begin(), s.end(), '='), s.end());
  return s;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        const SecretBytes& secret, const TotpParams& params) {
  std::string label = percent_encode(issuer) + ":" + percent_encode(account);
  return "otpauth://totp/" + label + "?secret=" + base32_encode(secret.reveal()) +
         "&issuer=" + percent_encode(issuer) + "&algorithm=" + std::string(hash_name(params.hash)) +
         "&digits=" + std::to_string(params.digits) +
         "&period=" + std::to_string(params.step_seconds);
}

Result<std::string> totp_code(const SecretBytes& secret, std::int64_t unix_seconds,
                              const TotpParams& params) {
  ensure_oath();
  char out[16] = {};
  int rc = oath_totp_generate2(secret_chars(secret), secret.reveal().size(),
                               static_cast<time_t>(unix_seconds), params.step_seconds, 0,
                               params.digits, oath_flags(params.hash), out);
  if (rc != OATH_OK)
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("TOTP generation failed: ") + oath_strerror(rc));
  return std::string(out);
}

std::optional<std::uint64_t> match_totp(const SecretBytes& secret, std::string_view code,
                                        std::int64_t unix_seconds, unsigned window,
                                        const TotpParams& params) {
  if (code.size() != params.digits ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  // Compare every candidate in constant time rather than liboath's strcmp.
  std::int64_t step = unix_seconds / static_cast<std::int64_t>(params.step_seconds);
  std::optional<std::uint64_t> found;
  for (std::int64_t s = step - static_cast<std::int64_t>(window);
       s <= step + static_cast<std::int64_t>(window); ++s) {
    if (s < 0)
      continue;
    auto candidate = totp_code(secret, s * static_cast<std::int64_t>(params.step_seconds), params);
    if (!candidate.ok())
      return std::nullopt;
    const std::string& c = *candidate;
    bool same = constant_time_equal(
        ByteView(reinterpret_cast<const std::uint8_t*>(c.data()), c.size()),
        ByteView(reinterpret_cast<const std::uint8_t*>(code.data()), code.size()));
    if (same && !found)
      found = static_cast<std::uint64_t>(s);
  }
  return found;
}

}  // namespace arca::crypto
