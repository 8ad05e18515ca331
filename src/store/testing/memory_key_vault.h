// An in-memory KeyVault for tests. Thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "store/key_vault.h"

namespace arca::store {

class MemoryKeyVault final : public KeyVault {
 public:
  Result<std::optional<Bytes>> get(const VaultKeyId& id) override;
  Result<Bytes> put_if_absent(const VaultKeyId& id, ByteView wrapped) override;
  Result<void> destroy(const VaultKeyId& id) override;
  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<VaultKeyId, Bytes> keys_;
};

}  // namespace arca::store
