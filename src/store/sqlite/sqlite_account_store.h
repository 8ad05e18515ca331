// SqliteAccountStore: the AccountStore in the index file (index migration 3), so accounts are
// encrypted at rest with the index. Like SqlitePeerRegistry it opens its own connection to the
// file SqliteIndex created (and migrates it too, so either may come first). The implementation
// is split: sqlite_account_store.cpp (tenants, users, recovery codes) and
// sqlite_account_access.cpp (sessions, API tokens, grants).
// Thread-safety: thread-safe (one connection behind a mutex; account traffic is light).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "core/secret.h"
#include "store/account_store.h"

namespace arca::store {

namespace sqlite {
class Connection;
}

class SqliteAccountStore final : public AccountStore {
 public:
  // `key` is the index key.
  static Result<std::unique_ptr<SqliteAccountStore>> open(const std::filesystem::path& index_file,
                                                          SecretBytes key);
  explicit SqliteAccountStore(std::unique_ptr<sqlite::Connection> conn);
  ~SqliteAccountStore() override;

  Result<void> add_tenant(const Tenant& tenant) override;
  Result<std::optional<Tenant>> find_tenant(const TenantId& id) override;
  Result<std::vector<Tenant>> list_tenants() override;
  Result<void> update_tenant(const Tenant& tenant) override;

  Result<UserId> add_user(const User& user) override;
  Result<std::optional<User>> find_user(UserId id) override;
  Result<std::optional<User>> find_user_by_name(std::string_view username) override;
  Result<std::vector<User>> list_users(const TenantId& tenant) override;
  Result<void> update_user(const User& user) override;
  Result<bool> advance_totp_step(UserId user, std::int64_t step) override;

  Result<void> set_recovery_codes(UserId user, const std::vector<Bytes>& digests) override;
  Result<bool> use_recovery_code(UserId user, ByteView digest, std::int64_t now_ms) override;
  Result<std::int64_t> unused_recovery_codes(UserId user) override;

  Result<void> add_session(const Session& session) override;
  Result<std::optional<Session>> find_session(ByteView id_hash) override;
  Result<void> update_session(const Session& session) override;
  Result<void> delete_session(ByteView id_hash) override;
  Result<std::int64_t> delete_user_sessions(UserId user) override;

  Result<TokenId> add_token(const ApiToken& token) override;
  Result<std::optional<ApiToken>> find_token_by_hash(ByteView token_hash) override;
  Result<std::optional<ApiToken>> find_token(TokenId id) override;
  Result<std::vector<ApiToken>> list_tokens(const TenantId& tenant) override;
  Result<void> update_token(const ApiToken& token) override;

  Result<void> add_grant(const StudyGrant& grant) override;
  Result<void> remove_grant(UserId user, const StudyUid& study) override;
  Result<std::vector<StudyGrant>> list_grants(UserId user) override;

 private:
  std::mutex mu_;
  std::unique_ptr<sqlite::Connection> conn_;
};

}  // namespace arca::store
