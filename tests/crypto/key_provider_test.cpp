#include "crypto/key_provider.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/file.h"
#include "crypto/system_random.h"
#include "test_dir.h"

namespace arca::crypto {
namespace {

namespace fs = std::filesystem;

class FileKeyProviderTest : public ::testing::Test {
 protected:
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  arca::test::TempDir scratch_;
  const fs::path dir_ = scratch_.path();
  SystemRandom random_;
};

TEST_F(FileKeyProviderTest, CreatesPrivateKeyFileAndDirectory) {
  auto path = dir_ / "secrets" / "root.key";
  FileKeyProvider provider(path, random_);
  auto key = provider.root_key();
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(key->reveal().size(), 32u);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(path.parent_path()), 0700u);
  EXPECT_EQ(read_file(path, 100).value(), key->reveal());
  // Nothing but the key is left in the directory.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator{}), 1);
}

TEST_F(FileKeyProviderTest, StableAcrossInstances) {
  auto path = dir_ / "root.key";
  auto a = FileKeyProvider(path, random_).root_key().value();
  FileKeyProvider again(path, random_);
  EXPECT_EQ(again.root_key().value().reveal(), a.reveal());
  EXPECT_EQ(again.root_key().value().reveal(), a.reveal());
}

TEST_F(FileKeyProviderTest, RejectsKeyReadableByOthers) {
  auto path = dir_ / "root.key";
  ASSERT_TRUE(write_file_atomic(path, Bytes(32, 1), 0644).ok());
  auto key = FileKeyProvider(path, random_).root_key();
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos);
  ASSERT_TRUE(write_file_atomic(path, Bytes(32, 1), 0640).ok());
  EXPECT_FALSE(FileKeyProvider(path, random_).root_key().ok());
}

TEST_F(FileKeyProviderTest, RejectsWrongLength) {
  auto path = dir_ / "root.key";
  ASSERT_TRUE(write_file_atomic(path, Bytes(31, 1), 0600).ok());
  auto key = FileKeyProvider(path, random_).root_key();
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(write_file_atomic(path, Bytes(64, 1), 0600).ok());
  EXPECT_FALSE(FileKeyProvider(path, random_).root_key().ok());
}

TEST_F(FileKeyProviderTest, AcceptsExistingPrivateKey) {
  auto path = dir_ / "root.key";
  ASSERT_TRUE(write_file_atomic(path, Bytes(32, 9), 0400).ok());
  EXPECT_EQ(FileKeyProvider(path, random_).root_key().value().reveal(), Bytes(32, 9));
}

TEST(DeriveKeyTest, DistinctPerPurposeAndDeterministic) {
  SecretBytes root(Bytes(32, 5));
  std::vector<Bytes> seen;
  for (auto p : {KeyPurpose::kIndex, KeyPurpose::kVault, KeyPurpose::kAuditMac, KeyPurpose::kBackup,
                 KeyPurpose::kPatientRef, KeyPurpose::kTenantWrap, KeyPurpose::kAccounts,
                 KeyPurpose::kAuditLog, KeyPurpose::kAuditJournal}) {
    Bytes k = derive_key(root, p).value().reveal();
    EXPECT_EQ(k.size(), 32u);
    EXPECT_EQ(derive_key(root, p).value().reveal(), k);
    for (const auto& other : seen)
      EXPECT_NE(other, k);
    seen.push_back(k);
  }
  EXPECT_EQ(key_purpose_info(KeyPurpose::kIndex), "arca index v1");
  EXPECT_EQ(derive_key(SecretBytes(Bytes(16, 1)), KeyPurpose::kIndex).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(SystemRandomTest, FillsDistinctBytes) {
  SystemRandom random;
  EXPECT_NE(random.bytes(32), random.bytes(32));
  EXPECT_NE(random.bytes(32), Bytes(32, 0));
}

}  // namespace
}  // namespace arca::crypto
