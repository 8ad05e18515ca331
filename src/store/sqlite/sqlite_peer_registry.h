// SqlitePeerRegistry: the PeerRegistry in the index file (table dimse_peers, index migration 2),
// so peers are encrypted at rest and backed up with the index. It opens its own connection to
// the file, which SqliteIndex::open() has already created and migrated (open() migrates too, so
// either may come first).
// Thread-safety: thread-safe (one connection behind a mutex; peers are few and rarely written).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "core/secret.h"
#include "store/peer_registry.h"

namespace arca::store {

namespace sqlite {
class Connection;
}

class SqlitePeerRegistry final : public PeerRegistry {
 public:
  // `key` is the index key.
  static Result<std::unique_ptr<SqlitePeerRegistry>> open(const std::filesystem::path& index_file,
                                                          SecretBytes key);
  explicit SqlitePeerRegistry(std::unique_ptr<sqlite::Connection> conn);
  ~SqlitePeerRegistry() override;

  Result<std::optional<Peer>> find_peer(std::string_view ae_title) override;
  Result<std::vector<Peer>> list_peers() override;
  Result<std::optional<TenantId>> open_storage_tenant() override;
  Result<void> add_peer(const Peer& peer) override;
  Result<void> remove_peer(std::string_view ae_title) override;

 private:
  std::mutex mu_;
  std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace arca::store
