// The page cipher of Arca's SQLite files (docs/adr/0022): new files are AEGIS-256; files in
// the legacy ChaCha20-Poly1305 cipher are read, and re-encrypted by a read-write open.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "core/file.h"
#include "store/index_contract.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_index.h"
#include "store/sqlite/sqlite_key_vault.h"
#include "store/sqlite/sqlite_schema.h"
#include "store/sqlite/sqlite_snapshot.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;
using testing::put_one;
using testing::sample_instance;

SecretBytes key(std::uint8_t fill) {
  return SecretBytes(Bytes(32, fill));
}

std::string raw_key(std::uint8_t fill) {
  return "raw:" + std::string(32, static_cast<char>(fill));
}

// Whether `cipher` with key(fill) reads the file's schema.
bool readable_with(const fs::path& file, std::string_view cipher, std::uint8_t fill) {
  sqlite3* db = nullptr;
  bool readable = false;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite::key_handle(db, cipher, key(fill)).ok())
    readable = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) ==
               SQLITE_OK;
  sqlite3_close_v2(db);
  return readable;
}

// Rewrites a closed file in the legacy cipher, as a build before ADR 0022 wrote it.
void to_legacy(const fs::path& file, std::uint8_t fill) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  ASSERT_TRUE(sqlite::key_handle(db, sqlite::kPageCipher, key(fill)).ok());
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_GE(sqlite3mc_config(db, "cipher", sqlite3mc_cipher_index("chacha20")), 0);
  const std::string raw = raw_key(fill);
  ASSERT_EQ(sqlite3_rekey_v2(db, "main", raw.data(), static_cast<int>(raw.size())), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close_v2(db);
  ASSERT_TRUE(readable_with(file, sqlite::kLegacyPageCipher, fill));
  ASSERT_FALSE(readable_with(file, sqlite::kPageCipher, fill));
}

bool has_instance(SqliteIndex& index, int n) {
  auto got =
      index.find_instance(TenantId("t1"), sample_instance(n).attributes.instance.sop_instance_uid);
  return got.ok() && got->has_value();
}

class SqliteCipherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto index = SqliteIndex::open(file_, key(1)).value();
    for (int n = 1; n <= 3; ++n)
      put_one(*index, sample_instance(n));
  }

  arca::test::TempDir dir_;
  const fs::path file_ = dir_.path() / "index.db";
};

TEST_F(SqliteCipherTest, NewFilesUseAegis) {
  EXPECT_TRUE(readable_with(file_, sqlite::kPageCipher, 1));
  EXPECT_FALSE(readable_with(file_, sqlite::kLegacyPageCipher, 1));
  EXPECT_FALSE(readable_with(file_, sqlite::kPageCipher, 2));
  Bytes bytes = read_file(file_, 64 << 20).value();
  std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(text.find("SQLite format 3"), std::string::npos);
  EXPECT_EQ(text.find(sample_instance(1).attributes.patient.patient_name), std::string::npos);
}

TEST_F(SqliteCipherTest, LegacyIndexIsReadAndReencryptedOnOpen) {
  to_legacy(file_, 1);
  {
    auto index = SqliteIndex::open(file_, key(1));
    ASSERT_TRUE(index.ok()) << index.error().to_string();
    for (int n = 1; n <= 3; ++n)
      EXPECT_TRUE(has_instance(**index, n)) << n;
    put_one(**index, sample_instance(4));
  }
  EXPECT_TRUE(readable_with(file_, sqlite::kPageCipher, 1));
  EXPECT_FALSE(readable_with(file_, sqlite::kLegacyPageCipher, 1));
  EXPECT_FALSE(fs::exists(dir_.path() / "index.db-journal"));
  auto index = SqliteIndex::open(file_, key(1)).value();
  for (int n = 1; n <= 4; ++n)
    EXPECT_TRUE(has_instance(*index, n)) << n;
}

TEST_F(SqliteCipherTest, ReadOnlyOpenReadsALegacyFileAndLeavesIt) {
  to_legacy(file_, 1);
  sqlite::ConnectionOptions o;
  o.file = file_;
  o.mode = sqlite::OpenMode::kReadOnly;
  o.application_id = sqlite::kIndexApplicationId;
  o.what = "index";
  auto conn = sqlite::Connection::open(o, key(1));
  ASSERT_TRUE(conn.ok()) << conn.error().to_string();
  EXPECT_EQ((*conn)->query_int("SELECT count(*) FROM instances").value(), 3);
  conn->reset();
  EXPECT_TRUE(readable_with(file_, sqlite::kLegacyPageCipher, 1));
}

TEST_F(SqliteCipherTest, WrongKeyOnALegacyFileIsRefusedAndChangesNothing) {
  to_legacy(file_, 1);
  const Bytes before = read_file(file_, 64 << 20).value();
  auto index = SqliteIndex::open(file_, key(2));
  ASSERT_FALSE(index.ok());
  EXPECT_EQ(index.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(index.error().message.find("wrong key"), std::string::npos);
  EXPECT_EQ(read_file(file_, 64 << 20).value(), before);
}

TEST_F(SqliteCipherTest, LegacySnapshotsAreCheckedReadAndCopied) {
  // A backup taken before ADR 0022 holds legacy snapshots: verify and restore still read them.
  to_legacy(file_, 1);
  EXPECT_TRUE(check_database(SqliteDatabase::kIndex, file_, key(1)).ok());
  int rows = 0;
  ASSERT_TRUE(read_index_instances(file_, key(1), [&](const StoredInstance&) -> Result<void> {
                ++rows;
                return ok();
              }).ok());
  EXPECT_EQ(rows, 3);
  const fs::path copy = dir_.path() / "copy.db";
  auto copied = snapshot_database({SqliteDatabase::kIndex, file_, copy}, key(1));
  ASSERT_TRUE(copied.ok()) << copied.error().to_string();
  EXPECT_TRUE(check_database(SqliteDatabase::kIndex, copy, key(1)).ok());
  auto index = SqliteIndex::open(copy, key(1));
  ASSERT_TRUE(index.ok()) << index.error().to_string();
  EXPECT_TRUE(has_instance(**index, 3));
  auto wrong = check_database(SqliteDatabase::kIndex, file_, key(2));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
}

TEST(SqliteCipherKeyVaultTest, LegacyVaultKeepsItsKeys) {
  arca::test::TempDir dir;
  const fs::path file = dir.path() / "keys.db";
  const Bytes wrapped(48, 7);
  {
    auto vault = SqliteKeyVault::open(file, key(3)).value();
    ASSERT_TRUE(vault->put_if_absent(VaultKeyId("tenant/t1"), wrapped).ok());
  }
  to_legacy(file, 3);
  auto vault = SqliteKeyVault::open(file, key(3));
  ASSERT_TRUE(vault.ok()) << vault.error().to_string();
  auto got = (*vault)->get(VaultKeyId("tenant/t1"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, wrapped);
  EXPECT_TRUE(readable_with(file, sqlite::kPageCipher, 3));
}

}  // namespace
}  // namespace arca::store
