// arca_index_sql: runs SQL on an archive's encrypted index or audit trail, as an insider holding
// the root key could (the stock sqlite3 shell cannot open SQLite3MC files). For tamper tests
// only. A file named audit.db is opened with the audit log's key, any other with the index's.
//   arca_index_sql --key-file K --db DATA/index.db "SQL; ..."
//   arca_index_sql --key-file K --db DATA/audit.db "SQL; ..."
#include <cstring>
#include <iostream>

#include "crypto/key_provider.h"
#include "crypto/system_random.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"

int main(int argc, char** argv) {
  if (argc != 6 || std::strcmp(argv[1], "--key-file") != 0 || std::strcmp(argv[3], "--db") != 0) {
    std::cerr << "usage: arca_index_sql --key-file K --db FILE SQL\n";
    return 2;
  }
  using namespace arca;
  crypto::SystemRandom random;
  crypto::FileKeyProvider keys(argv[2], random);
  auto root = keys.root_key();
  if (!root.ok()) {
    std::cerr << root.error().to_string() << '\n';
    return 1;
  }
  store::sqlite::ConnectionOptions o;
  o.file = argv[4];
  const bool audit = o.file.filename() == "audit.db";
  auto key = crypto::derive_key(root.value(),
                                audit ? crypto::KeyPurpose::kAuditLog : crypto::KeyPurpose::kIndex);
  o.application_id =
      audit ? store::sqlite::kAuditApplicationId : store::sqlite::kIndexApplicationId;
  o.what = audit ? "audit log" : "index";
  auto conn = store::sqlite::Connection::open(o, key.value());
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
