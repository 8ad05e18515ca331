// arca_index_sql: runs SQL on an archive's encrypted index or audit trail, as an insider holding
// the root key could (the stock sqlite3 shell cannot open SQLite3MC files). For tests only. A
// file named audit.db is opened with the audit log's key, any other with the index's.
//   arca_index_sql --key-file K --db DATA/index.db "SQL; ..."
//   arca_index_sql --key-file K --db DATA/audit.db "SQL; ..."
// `--legacy-audit` in place of the SQL turns the archive back into one made before the trail had
// a file of its own (docs/adr/0014): the trail's tables are recreated in index.db (the old index
// migration 4), filled with audit.db's records and checkpoints, and audit.db is deleted.
#include <cstring>
#include <iostream>

#include "crypto/key_provider.h"
#include "crypto/system_random.h"
#include "store/sqlite/sqlite_audit_move.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

namespace {

using namespace arca;

Result<std::unique_ptr<store::sqlite::Connection>> open(const SecretBytes& root,
                                                        const std::filesystem::path& file) {
  store::sqlite::ConnectionOptions o;
  o.file = file;
  const bool audit = file.filename() == "audit.db";
  SecretBytes key = ARCA_TRY(
      crypto::derive_key(root, audit ? crypto::KeyPurpose::kAuditLog : crypto::KeyPurpose::kIndex));
  o.application_id =
      audit ? store::sqlite::kAuditApplicationId : store::sqlite::kIndexApplicationId;
  o.what = audit ? "audit log" : "index";
  return store::sqlite::Connection::open(o, key);
}

Result<void> make_legacy(const SecretBytes& root, const std::filesystem::path& index_file) {
  const auto audit_file = index_file.parent_path() / "audit.db";
  {
    auto index = ARCA_TRY(open(root, index_file));
    auto audit = ARCA_TRY(open(root, audit_file));
    ARCA_TRY(store::sqlite::in_transaction(*index, [&]() -> Result<void> {
      ARCA_TRY(index->exec(store::sqlite::audit_migrations().front().sql));
      ARCA_TRY(store::sqlite::copy_audit_tables(*audit, *index));
      return ok();
    }));
  }
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(audit_file.string() + suffix);
  return ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6 || std::strcmp(argv[1], "--key-file") != 0 || std::strcmp(argv[3], "--db") != 0) {
    std::cerr << "usage: arca_index_sql --key-file K --db FILE (SQL | --legacy-audit)\n";
    return 2;
  }
  crypto::SystemRandom random;
  crypto::FileKeyProvider keys(argv[2], random);
  auto root = keys.root_key();
  if (!root.ok()) {
    std::cerr << root.error().to_string() << '\n';
    return 1;
  }
  if (std::strcmp(argv[5], "--legacy-audit") == 0) {
    auto made = make_legacy(root.value(), argv[4]);
    if (!made.ok()) {
      std::cerr << made.error().to_string() << '\n';
      return 1;
    }
    return 0;
  }
  auto conn = open(root.value(), argv[4]);
  if (!conn.ok()) {
    std::cerr << conn.error().to_string() << '\n';
    return 1;
  }
  auto done = conn.value()->exec(argv[5]);
  if (!done.ok()) {
    std::cerr << done.error().to_string() << '\n';
    return 1;
  }
  return 0;
}
