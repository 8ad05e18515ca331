// A bounded, thread-safe LRU cache of unwrapped tenant and patient keys, so ingest does not go
// to the key vault for every instance. Erasing bumps a generation counter: a key loaded from the
// vault before an erase started is not cached after it (put() with a stale generation is
// ignored), so a shredded key cannot linger in the cache.
// Thread-safety: thread-safe; no lock is held while the caller does I/O.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/secret.h"
#include "store/key_vault.h"

namespace arca::store {

class KeyCache {
 public:
  explicit KeyCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // A copy of the cached key, marking it most recently used.
  std::optional<SecretBytes> get(const VaultKeyId& id);
  // Read before loading a key from the vault; pass to put().
  std::uint64_t generation() const;
  // Caches the key unless an erase happened since `generation` was read.
  void put(const VaultKeyId& id, const SecretBytes& key, std::uint64_t generation);
  // Drops the key and invalidates loads in flight.
  void erase(const VaultKeyId& id);
  std::size_t size() const;

 private:
  using Entry = std::pair<VaultKeyId, SecretBytes>;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<VaultKeyId, std::list<Entry>::iterator> index_;
  std::uint64_t generation_ = 0;
  std::size_t capacity_;
};

}  // namespace arca::store
