#include "store/sqlite/sqlite_index.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "core/file.h"
#include "store/index_contract.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_schema.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;
using testing::IndexContractParam;
using testing::IndexContractTest;
using testing::put_one;
using testing::sample_instance;

SecretBytes test_key(std::uint8_t seed = 1) {
  Bytes k(32);
  for (std::size_t i = 0; i < k.size(); ++i)
    k[i] = static_cast<std::uint8_t>(seed * 31 + i);
  return SecretBytes(std::move(k));
}

template <typename T>
T unwrap(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return std::move(r).take();
}

Result<std::unique_ptr<Index>> make_sqlite(const fs::path& dir) {
  auto index = ARCA_TRY(SqliteIndex::open(dir / "index.db", test_key()));
  return std::unique_ptr<Index>(std::move(index));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IndexContractTest,
                         ::testing::Values(IndexContractParam{"Sqlite", make_sqlite}),
                         testing::index_contract_name);

class SqliteIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteIndex> open_index(std::uint8_t seed = 1) {
    auto r = SqliteIndex::open(dir_ / "index.db", test_key(seed));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).take() : nullptr;
  }

  arca::test::TempDir scratch_;
  const fs::path dir_ = scratch_.path();
};

TEST_F(SqliteIndexTest, CommittedDataSurvivesReopen) {
  {
    auto index = open_index();
    put_one(*index, sample_instance(1));
  }
  auto index = open_index();
  auto got =
      index->find_instance(TenantId("t1"), sample_instance(1).attributes.instance.sop_instance_uid);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->has_value());
}

TEST_F(SqliteIndexTest, WrongKeyFailsClearlyAndDoesNotTouchTheFile) {
  {
    auto index = open_index(1);
    put_one(*index, sample_instance(1));
  }
  auto before = fs::file_size(dir_ / "index.db");
  auto wrong = SqliteIndex::open(dir_ / "index.db", test_key(2));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(wrong.error().message.find("wrong key or not an Arca index"), std::string::npos);
  EXPECT_EQ(fs::file_size(dir_ / "index.db"), before);
  EXPECT_NE(open_index(1), nullptr);  // the right key still opens it
}

TEST_F(SqliteIndexTest, KeyMustBe32Bytes) {
  auto r = SqliteIndex::open(dir_ / "index.db", SecretBytes(Bytes(16, 1)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SqliteIndexTest, ForeignFileIsRefused) {
  std::ofstream(dir_ / "index.db")
      << "this is not a database, just some text padding it out " << std::string(5000, 'x');
  auto r = SqliteIndex::open(dir_ / "index.db", test_key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(SqliteIndexTest, VaultFileIsNotAnIndex) {
  // Same key, valid SQLite3MC file, but another Arca file kind: refused by application_id.
  {
    sqlite::ConnectionOptions o{
        dir_ / "index.db", sqlite::OpenMode::kReadWrite, 1000, 2048, sqlite::kVaultApplicationId,
        "key vault"};
    auto conn = sqlite::Connection::open(o, test_key());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(
        sqlite::migrate(**conn, sqlite::vault_migrations(), sqlite::kVaultApplicationId).ok());
  }
  auto r = SqliteIndex::open(dir_ / "index.db", test_key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCorruptIndex);
}

TEST_F(SqliteIndexTest, MigrationsApplyOnlyTheMissingOnes) {
  sqlite::ConnectionOptions o{dir_ / "m.db", sqlite::OpenMode::kReadWrite, 1000, 2048, 0x1234,
                              "test"};
  const sqlite::Migration v1[] = {{1, "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"}};
  const sqlite::Migration v2[] = {v1[0],
                                  {2, "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2);"}};
  {
    auto conn = unwrap(sqlite::Connection::open(o, test_key()));
    EXPECT_EQ(*sqlite::migrate(*conn, v1, 0x1234), 1);
    EXPECT_EQ(*sqlite::migrate(*conn, v1, 0x1234), 1);  // nothing to do
  }
  {
    auto conn = unwrap(sqlite::Connection::open(o, test_key()));
    EXPECT_EQ(*sqlite::migrate(*conn, v2, 0x1234), 2);
    EXPECT_EQ(*conn->query_int("SELECT count(*) FROM a"), 2);  // v1 ran once, v2 once
    EXPECT_EQ(*conn->query_int("PRAGMA user_version"), 2);
  }
  auto conn = unwrap(sqlite::Connection::open(o, test_key()));
  auto newer = sqlite::migrate(*conn, v1, 0x1234);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, ErrorCode::kUnsupported);
}

TEST_F(SqliteIndexTest, IndexFileIsAtTheLatestSchemaVersion) {
  open_index().reset();
  auto conn = unwrap(sqlite::Connection::open({dir_ / "index.db", sqlite::OpenMode::kReadOnly, 1000,
                                               2048, sqlite::kIndexApplicationId, "index"},
                                              test_key()));
  EXPECT_EQ(*conn->query_int("PRAGMA user_version"), sqlite::index_migrations().back().version);
}

bool contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

std::string utf16le(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    out += '\0';
  }
  return out;
}

TEST_F(SqliteIndexTest, NothingReadableOnDisk) {
  const std::vector<std::string> canaries = {"ZEBRAFINCH^PLAINTEXT", "PID-CANARY-123",
                                             "ACC-CANARY-456", "1.2.826.0.1.3680043.99.777"};
  auto index = open_index();
  auto tx = testing::begin_tx(*index);
  for (int n = 1; n <= 200; ++n) {
    auto s = sample_instance(n, canaries[3], canaries[3] + ".1");
    s.attributes.patient.patient_name = canaries[0];
    s.attributes.patient.patient_id = canaries[1];
    s.attributes.study.accession_number = canaries[2];
    ASSERT_TRUE(tx->put_instance(s, ConflictPolicy::kKeepFirst).ok());
  }
  ASSERT_TRUE(tx->commit().ok());
  // Read while the index is open (WAL and shm present) and again after closing.
  for (int round = 0; round < 2; ++round) {
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      auto bytes = read_file(entry.path(), 1 << 30);
      ASSERT_TRUE(bytes.ok());
      std::string raw(as_chars(*bytes));
      ++files;
      for (const auto& c : canaries) {
        EXPECT_FALSE(contains(raw, c)) << c << " in " << entry.path();
        EXPECT_FALSE(contains(raw, utf16le(c))) << c << " (UTF-16) in " << entry.path();
      }
      EXPECT_FALSE(contains(raw, "SQLite format 3")) << entry.path();
    }
    EXPECT_GE(files, 1);
    index.reset();
  }
}

// A child commits transactions and reports each commit over a pipe until it is SIGKILLed;
// every reported commit must be there after reopening.
TEST_F(SqliteIndexTest, CommitsSurviveSigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto index = SqliteIndex::open(dir_ / "index.db", test_key());
    if (!index.ok())
      ::_exit(2);
    for (int n = 1;; ++n) {
      auto tx = (*index)->begin();
      if (!tx.ok() || !(*tx)->put_instance(sample_instance(n), ConflictPolicy::kKeepFirst).ok() ||
          !(*tx)->commit().ok())
        ::_exit(3);
      if (::write(fds[1], &n, sizeof n) != sizeof n)
        ::_exit(4);
    }
  }
  ::close(fds[1]);
  int last = 0, n = 0;
  while (last < 150 && ::read(fds[0], &n, sizeof n) == sizeof n)
    last = n;
  ::kill(child, SIGKILL);
  while (::read(fds[0], &n, sizeof n) == sizeof n)
    last = n;
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_GE(last, 150);
  auto index = open_index();
  for (int k = 1; k <= last; ++k) {
    auto got = index->find_instance(TenantId("t1"),
                                    sample_instance(k).attributes.instance.sop_instance_uid);
    ASSERT_TRUE(got.ok() && got->has_value()) << "commit " << k << " of " << last << " lost";
  }
}

}  // namespace
}  // namespace arca::store
