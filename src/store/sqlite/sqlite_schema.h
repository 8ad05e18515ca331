// Internal to store/sqlite: numbered schema migrations. A file's PRAGMA user_version is the
// number of the last migration applied; opening applies only the newer ones, each in its own
// IMMEDIATE transaction together with its version bump, so a crash never leaves a half-applied
// migration and two processes opening at once apply each migration once. A file whose version
// is newer than this build knows is refused (kUnsupported).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"
#include "store/sqlite/sqlite_connection.h"

namespace arca::store::sqlite {

struct Migration {
  int version;  // 1, 2, 3, ... in order
  std::string_view sql;
  // Run after `sql` in the same transaction (data a statement alone cannot derive), if set.
  Result<void> (*then)(Connection&) = nullptr;
};

inline constexpr std::uint32_t kIndexApplicationId = 0x41524349;  // "ARCI"
inline constexpr std::uint32_t kVaultApplicationId = 0x4152434b;  // "ARCK"
inline constexpr std::uint32_t kAuditApplicationId = 0x41524341;  // "ARCA"

std::span<const Migration> index_migrations();
std::span<const Migration> vault_migrations();
std::span<const Migration> audit_migrations();  // audit.db (SqliteAuditLog)

// Applies the missing migrations and stamps `application_id`; returns the resulting version.
// A side connection to the index file (peers, accounts, the move of an older archive's audit
// trail): keyed, checked, migrated.
Result<std::unique_ptr<Connection>> open_index_side_connection(const std::filesystem::path& file,
                                                               const SecretBytes& key,
                                                               int cache_kib);

Result<int> migrate(Connection& conn, std::span<const Migration> migrations,
                    std::uint32_t application_id);

}  // namespace arca::store::sqlite
