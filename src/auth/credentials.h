// The bearer secrets Arca hands out — session ids, API tokens, recovery codes, one-time
// passwords — and the keyed digests under which they are stored. Stored digests are
// HMAC-SHA-256 under a key derived from the root key (KeyPurpose::kAccounts), so a copy of the
// index alone cannot even be used to test guesses.
// Thread-safety: CredentialKeys is immutable after construction; free functions are safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"

namespace arca::auth {

class CredentialKeys {
 public:
  explicit CredentialKeys(SecretBytes account_key) : key_(std::move(account_key)) {}

  // HMAC(key, purpose ‖ 0x00 ‖ secret); purpose separates e.g. "session" from "token".
  Bytes digest(std::string_view purpose, std::string_view secret) const;
  // The CSRF token bound to a session id (sent to the client, checked on unsafe methods).
  std::string csrf_token(const SecretString& session_id) const;
  // Wraps/unwraps a user's TOTP secret, bound to the user id.
  Result<Bytes> wrap_totp_secret(const SecretBytes& secret, std::int64_t user,
                                 Random& random) const;
  Result<SecretBytes> unwrap_totp_secret(ByteView wrapped, std::int64_t user) const;

 private:
  SecretBytes key_;
};

// 256-bit session id, 64 hex characters.
SecretString new_session_id(Random& random);
// "arca_" followed by 64 hex characters (256 bits).
SecretString new_api_token(Random& random);
// Ten codes of 12 characters from an unambiguous alphabet, shown as "xxxx-xxxx-xxxx" (60 bits).
std::vector<std::string> new_recovery_codes(Random& random, std::size_t count = 10);
// Recovery codes as users type them: case, spaces and dashes do not matter.
std::string normalize_recovery_code(std::string_view code);
// A one-time password for a new or reset account: 20 characters, ~100 bits.
SecretString new_one_time_password(Random& random);

}  // namespace arca::auth
