#include "store/sqlite/sqlite_key_vault.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "core/file.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;

SecretBytes vault_key(std::uint8_t seed = 5) {
  return SecretBytes(Bytes(32, seed));
}

class SqliteKeyVaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteKeyVault> open(std::uint8_t seed = 5) {
    auto r = SqliteKeyVault::open(dir_ / "vault.db", vault_key(seed));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).take() : nullptr;
  }

  arca::test::TempDir scratch_;
  const fs::path dir_ = scratch_.path();
};

const Bytes kWrapped = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};

TEST_F(SqliteKeyVaultTest, PutGetDestroyAcrossReopen) {
  VaultKeyId id("patient/t1/abc");
  {
    auto vault = open();
    EXPECT_EQ(*vault->get(id), std::nullopt);
    EXPECT_EQ(*vault->put_if_absent(id, kWrapped), kWrapped);
    EXPECT_EQ(*vault->put_if_absent(id, Bytes{9, 9}), kWrapped);  // first value stays
  }
  {
    auto vault = open();
    EXPECT_EQ(*vault->get(id), kWrapped);
    ASSERT_TRUE(vault->destroy(id).ok());
    auto again = vault->destroy(id);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  }
  auto vault = open();
  EXPECT_EQ(*vault->get(id), std::nullopt);
}

TEST_F(SqliteKeyVaultTest, RacingCreatorsAgree) {
  auto a = open();
  auto b = open();  // a second handle on the same file, like a second process
  VaultKeyId id("tenant/t1");
  std::vector<Bytes> results(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto& vault = i % 2 == 0 ? *a : *b;
      auto r = vault.put_if_absent(id, Bytes(16, static_cast<std::uint8_t>(i + 1)));
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      results[static_cast<std::size_t>(i)] = *r;
    });
  }
  for (auto& t : threads)
    t.join();
  for (const auto& r : results)
    EXPECT_EQ(r, results[0]);
  EXPECT_EQ(*a->get(id), results[0]);
}

TEST_F(SqliteKeyVaultTest, WrongKeyIsRefused) {
  ASSERT_TRUE(open()->put_if_absent(VaultKeyId("k"), kWrapped).ok());
  auto r = SqliteKeyVault::open(dir_ / "vault.db", vault_key(6));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(SqliteKeyVaultTest, DestroyLeavesNoWalBehindAndNoPlaintext) {
  auto vault = open();
  Bytes marker(48);
  for (std::size_t i = 0; i < marker.size(); ++i)
    marker[i] = static_cast<std::uint8_t>(0xa0 + i % 16);
  VaultKeyId id("patient/t1/shred-me");
  ASSERT_TRUE(vault->put_if_absent(id, marker).ok());
  ASSERT_TRUE(vault->put_if_absent(VaultKeyId("patient/t1/keep"), kWrapped).ok());
  ASSERT_TRUE(vault->destroy(id).ok());
  auto wal = dir_ / "vault.db-wal";
  EXPECT_TRUE(!fs::exists(wal) || fs::file_size(wal) == 0);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    std::string raw(as_chars(*read_file(entry.path(), 1 << 26)));
    EXPECT_EQ(raw.find(std::string(as_chars(marker))), std::string::npos) << entry.path();
    EXPECT_EQ(raw.find("shred-me"), std::string::npos) << entry.path();
  }
  vault.reset();
  auto reopened = open();
  EXPECT_EQ(*reopened->get(id), std::nullopt);
  EXPECT_EQ(*reopened->get(VaultKeyId("patient/t1/keep")), kWrapped);
}

}  // namespace
}  // namespace arca::store
