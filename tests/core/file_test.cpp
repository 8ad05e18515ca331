#include "core/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "test_dir.h"

namespace arca {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  arca::test::TempDir scratch_;
  const fs::path dir_ = scratch_.path();
};

TEST_F(FileTest, AtomicWriteSetsModeAndContent) {
  Bytes data{9, 8, 7};
  ASSERT_TRUE(write_file_atomic(dir_ / "k", data, 0600).ok());
  EXPECT_EQ(read_file(dir_ / "k", 100).value(), data);
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(dir_ / "k.tmp"));
}

TEST_F(FileTest, MissingFileIsNotFound) {
  auto r = FileSource::open(dir_ / "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

TEST_F(FileTest, CreateExclusiveRefusesExisting) {
  ASSERT_TRUE(write_file_atomic(dir_ / "x", Bytes{1}, 0600).ok());
  auto r = File::open(dir_ / "x", File::Mode::kCreateExclusive);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
}

}  // namespace
}  // namespace arca
