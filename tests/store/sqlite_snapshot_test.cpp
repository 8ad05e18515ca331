#include "store/sqlite/sqlite_snapshot.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "store/index_contract.h"
#include "store/sqlite/sqlite_index.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;

SecretBytes key(std::uint8_t fill) {
  return SecretBytes(Bytes(32, fill));
}

std::vector<StoredInstance> listed(const fs::path& file, const SecretBytes& k) {
  std::vector<StoredInstance> out;
  auto r = read_index_instances(file, k, [&](const StoredInstance& row) -> Result<void> {
    out.push_back(row);
    return ok();
  });
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return out;
}

class SqliteSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = SqliteIndex::open(dir_.path() / "index.db", key(1)).value();
    for (int n = 1; n <= 3; ++n)
      testing::put_one(*index_, testing::sample_instance(n));
  }
  arca::test::TempDir dir_;
  std::unique_ptr<SqliteIndex> index_;
};

TEST_F(SqliteSnapshotTest, CopyIsConsistentEncryptedAndSelfContained) {
  const fs::path copy = dir_.path() / "copy.db";
  // A writer in the middle of a transaction: the snapshot holds what was committed, only.
  auto tx = testing::begin_tx(*index_);
  ASSERT_TRUE(tx->put_instance(testing::sample_instance(4), ConflictPolicy::kKeepFirst).ok());
  auto size = snapshot_database({SqliteDatabase::kIndex, dir_.path() / "index.db", copy}, key(1));
  ASSERT_TRUE(size.ok()) << size.error().to_string();
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_EQ(fs::file_size(copy), *size);
  EXPECT_FALSE(fs::exists(dir_.path() / "copy.db-wal"));
  Bytes bytes = read_file(copy, 64 << 20).value();
  std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(text.find("SQLite format 3"), std::string::npos);
  EXPECT_EQ(text.find(testing::sample_instance(1).attributes.patient.patient_name),
            std::string::npos);
  EXPECT_TRUE(check_database(SqliteDatabase::kIndex, copy, key(1)).ok());
  auto rows = listed(copy, key(1));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].blob, testing::sample_instance(1).blob);
  EXPECT_EQ(rows[0].sha256, testing::sample_instance(1).sha256);
  EXPECT_EQ(rows[0].attributes.study.study_uid.str(), "1.2.3.1");
  // The index itself now holds the fourth instance; the copy never will.
  const fs::path later = dir_.path() / "later.db";
  ASSERT_TRUE(
      snapshot_database({SqliteDatabase::kIndex, dir_.path() / "index.db", later}, key(1)).ok());
  EXPECT_EQ(listed(later, key(1)).size(), 4u);
  EXPECT_EQ(listed(copy, key(1)).size(), 3u);
}

TEST_F(SqliteSnapshotTest, RefusesWrongKeysKindsExistingTargetsAndDamage) {
  const fs::path copy = dir_.path() / "copy.db";
  auto wrong = snapshot_database({SqliteDatabase::kIndex, dir_.path() / "index.db", copy}, key(2));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(fs::exists(copy));
  auto kind =
      snapshot_database({SqliteDatabase::kKeyVault, dir_.path() / "index.db", copy}, key(1));
  ASSERT_FALSE(kind.ok());
  EXPECT_FALSE(fs::exists(copy));
  ASSERT_TRUE(
      snapshot_database({SqliteDatabase::kIndex, dir_.path() / "index.db", copy}, key(1)).ok());
  auto again = snapshot_database({SqliteDatabase::kIndex, dir_.path() / "index.db", copy}, key(1));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(check_database(SqliteDatabase::kIndex, copy, key(2)).error().code,
            ErrorCode::kPermissionDenied);
  {  // one flipped byte inside a page: its Poly1305 tag fails
    File f = File::open(copy, File::Mode::kReadWriteExisting).value();
    Bytes b(1);
    ASSERT_TRUE(f.read_at(4096 + 200, b).ok());
    b[0] ^= 0x01;
    ASSERT_TRUE(f.write_at(4096 + 200, b).ok());
  }
  EXPECT_FALSE(check_database(SqliteDatabase::kIndex, copy, key(1)).ok());
  EXPECT_EQ(check_database(SqliteDatabase::kIndex, dir_.path() / "none.db", key(1)).error().code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace arca::store
