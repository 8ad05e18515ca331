// KeyVault: the small, separately stored and encrypted home of wrapped tenant and patient keys
// (DESIGN §4). It is kept apart from the index and the blobs so that backups of data never carry
// the keys that open them; destroying a patient's entry crypto-shreds every copy of that
// patient's blobs. Values are opaque wrapped keys; ids are opaque, PHI-free strings.
// Thread-safety: a KeyVault is thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "core/strong_id.h"

namespace arca::store {

using VaultKeyId = StrongId<struct VaultKeyIdTag>;

class KeyVault {
 public:
  virtual ~KeyVault() = default;
  virtual Result<std::optional<Bytes>> get(const VaultKeyId& id) = 0;
  // Stores `wrapped` unless the id already has a value; returns the value now stored, so two
  // racing creators agree on one key.
  virtual Result<Bytes> put_if_absent(const VaultKeyId& id, ByteView wrapped) = 0;
  // Irreversibly forgets the key (and, for SQLite, overwrites the freed pages).
  virtual Result<void> destroy(const VaultKeyId& id) = 0;
};

}  // namespace arca::store
