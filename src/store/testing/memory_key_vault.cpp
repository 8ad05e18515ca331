#include "store/testing/memory_key_vault.h"

namespace arca::store {

Result<std::optional<Bytes>> MemoryKeyVault::get(const VaultKeyId& id) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end())
    return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Result<Bytes> MemoryKeyVault::put_if_absent(const VaultKeyId& id, ByteView wrapped) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = keys_.try_emplace(id, wrapped.begin(), wrapped.end());
  return it->second;
}

Result<void> MemoryKeyVault::destroy(const VaultKeyId& id) {
  std::lock_guard lock(mu_);
  if (keys_.erase(id) == 0)
    return make_error(ErrorCode::kNotFound, "no such key");
  return ok();
}

std::size_t MemoryKeyVault::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace arca::store
