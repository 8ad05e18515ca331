// Password hashing with Argon2id (RFC 9106) through libargon2, the reference implementation.
// Hashes are stored in the PHC string form "$argon2id$v=19$m=…,t=…,p=…$salt$hash", so the
// parameters travel with each hash and can be raised later: verify() reads them from the string
// and needs_rehash() says when a stored hash is weaker than the current parameters.
// Thread-safety: free functions; safe from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"

namespace arca::crypto {

// Defaults follow OWASP's Password Storage Cheat Sheet for Argon2id: 19 MiB, 2 passes, 1 lane.
struct Argon2Params {
  std::uint32_t memory_kib = 19 * 1024;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;
};

// kInvalidArgument for parameters below the floor Arca accepts (8 MiB, 1 pass, 1 lane) or for a
// password longer than 1 KiB (Argon2id cost must not be attacker-controlled).
Result<std::string> hash_password(const SecretString& password, const Argon2Params& params,
                                  Random& random);

// True when `password` matches `encoded`; false on mismatch. kInvalidArgument when `encoded` is
// not an Argon2id PHC string.
Result<bool> verify_password(const SecretString& password, std::string_view encoded);

// True when `encoded` was made with weaker parameters than `params`.
bool needs_rehash(std::string_view encoded, const Argon2Params& params);

// Raw Argon2id (version 0x13), for the RFC 9106 known-answer test; `secret` and `ad` may be empty.
Result<Bytes> argon2id_raw(ByteView password, ByteView salt, ByteView secret, ByteView ad,
                           const Argon2Params& params, std::size_t tag_length);

}  // namespace arca::crypto
