// SqliteKeyVault: the KeyVault in its own small SQLite3MC file, encrypted like the index
// (chacha20 pages under a 32-byte raw key) but with a different key and file, so index
// backups never carry the keys (DESIGN §4). A wrong key fails open() with kPermissionDenied.
//
// destroy() deletes the row with secure_delete on (freed cells are zeroed) and then
// checkpoints the WAL with TRUNCATE, so neither the database file nor the WAL keeps a copy of
// the wrapped key. Durability as the index: WAL, synchronous=FULL.
// Thread-safety: thread-safe (one connection behind a mutex; the vault is small and rarely
// written). put_if_absent is atomic across threads and processes (BEGIN IMMEDIATE).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "core/secret.h"
#include "store/key_vault.h"

namespace arca::store {

namespace sqlite {
class Connection;
}

class SqliteKeyVault final : public KeyVault {
 public:
  static Result<std::unique_ptr<SqliteKeyVault>> open(const std::filesystem::path& file,
                                                      SecretBytes key);
  explicit SqliteKeyVault(std::unique_ptr<sqlite::Connection> conn);
  ~SqliteKeyVault() override;

  Result<std::optional<Bytes>> get(const VaultKeyId& id) override;
  Result<Bytes> put_if_absent(const VaultKeyId& id, ByteView wrapped) override;
  // kNotFound if the id has no key.
  Result<void> destroy(const VaultKeyId& id) override;

 private:
  Result<std::optional<Bytes>> read(const VaultKeyId& id);

  std::mutex mu_;
  std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace arca::store
