// Where an archive keeps its databases inside its data directory.
// One place for the paths Archive opens and `arca backup` / `arca restore` copy.
#pragma once

#include <filesystem>

namespace arca::app {

inline std::filesystem::path index_file(const std::filesystem::path& data_dir) {
  return data_dir / "index.db";
}
inline std::filesystem::path audit_file(const std::filesystem::path& data_dir) {
  return data_dir / "audit.db";
}
inline std::filesystem::path vault_file(const std::filesystem::path& data_dir) {
  return data_dir / "keys" / "vault.db";
}

}  // namespace arca::app
