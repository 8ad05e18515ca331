#include "store/encrypted/key_cache.h"

namespace arca::store {

std::optional<SecretBytes> KeyCache::get(const VaultKeyId& id) {
  std::lock_guard lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end())
    return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second.clone();
}

std::uint64_t KeyCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void KeyCache::put(const VaultKeyId& id, const SecretBytes& key, std::uint64_t generation) {
  std::lock_guard lock(mu_);
  if (generation != generation_ || index_.count(id) != 0)
    return;
  lru_.emplace_front(id, key.clone());
  index_.emplace(id, lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

void KeyCache::erase(const VaultKeyId& id) {
  std::lock_guard lock(mu_);
  ++generation_;
  auto it = index_.find(id);
  if (it == index_.end())
    return;
  lru_.erase(it->second);
  index_.erase(it);
}

std::size_t KeyCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace arca::store
