// TOTP (RFC 6238) over liboath: secrets, codes, the otpauth:// enrolment URI and matching with a
// step window. Replay protection is the caller's job: match_totp() returns the time step a code
// belongs to, and the caller accepts only steps later than the last one it accepted.
// Thread-safety: free functions; safe from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"

namespace arca::crypto {

enum class TotpHash { kSha1, kSha256, kSha512 };

struct TotpParams {
  unsigned digits = 6;
  unsigned step_seconds = 30;
  TotpHash hash = TotpHash::kSha1;  // what every authenticator app supports
};

inline constexpr std::size_t kTotpSecretBytes = 20;  // 160 bits (RFC 4226 §4 R6)

SecretBytes new_totp_secret(Random& random);

// RFC 4648 base32 without padding, as authenticator apps expect.
std::string base32_encode(ByteView bytes);

// otpauth://totp/{issuer}:{account}?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        const SecretBytes& secret, const TotpParams& params = {});

// The code for the time step containing `unix_seconds`.
Result<std::string> totp_code(const SecretBytes& secret, std::int64_t unix_seconds,
                              const TotpParams& params = {});

// The time step (unix_seconds / step) of the step within ±window of now whose code equals
// `code`, or nullopt if none does (or the code is malformed).
std::optional<std::uint64_t> match_totp(const SecretBytes& secret, std::string_view code,
                                        std::int64_t unix_seconds, unsigned window = 1,
                                        const TotpParams& params = {});

}  // namespace arca::crypto
