// What a new password must be: at least the configured length (and at most 256 bytes), not one
// of the ~11,600 most common passwords (src/auth/common_passwords.txt, the entries of 8 or more
// characters from zxcvbn 4.4.2's frequency list, MIT licence), and not the username.
#pragma once

#include <string_view>

#include "core/result.h"
#include "core/secret.h"

namespace arca::auth {

// kInvalidArgument with the reason a user can act on, or ok().
Result<void> check_new_password(const SecretString& password, std::string_view username,
                                std::size_t min_length);

// True if the password (compared case-insensitively) is on the shipped common-password list.
bool is_common_password(std::string_view password);

}  // namespace arca::auth
