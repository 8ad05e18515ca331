// The knobs of identity and access ([auth] in arca.toml). Defaults follow OWASP's
// authentication and session management guidance.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "crypto/password.h"

namespace arca::auth {

struct AuthSettings {
  crypto::Argon2Params argon2;
  std::size_t min_password_length = 12;
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_timeout{12 * 60 * 60};
  // Per account: after `lockout_threshold` consecutive failures the account is locked for
  // lockout_base, doubling with each further failure, at most lockout_max.
  int lockout_threshold = 5;
  std::chrono::seconds lockout_base{30};
  std::chrono::seconds lockout_max{15 * 60};
  // Per source address: the same back-off after `address_threshold` failures from one address.
  int address_threshold = 20;
  std::chrono::seconds max_token_lifetime{365 * 24 * 60 * 60};
  std::string totp_issuer = "Arca";
};

}  // namespace arca::auth
