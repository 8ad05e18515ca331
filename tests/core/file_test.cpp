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

TEST_F(FileTest, PositionalWritesTruncateAndAppend) {
  File f = File::open(dir_ / "p", File::Mode::kCreateExclusive).value();
  ASSERT_TRUE(f.write_at(4, Bytes{5, 6}).ok());
  ASSERT_TRUE(f.write_at(0, Bytes{1, 2}).ok());
  Bytes got(6);
  EXPECT_EQ(f.read_at(0, got).value(), 6u);  // a created file is readable too
  EXPECT_EQ(got, (Bytes{1, 2, 0, 0, 5, 6}));
  ASSERT_TRUE(f.truncate(3).ok());
  EXPECT_EQ(f.size().value(), 3u);
  ASSERT_TRUE(f.sync().ok());
  ASSERT_TRUE(f.close().ok());
  EXPECT_FALSE(File::open(dir_ / "q", File::Mode::kReadWriteExisting).ok());
  File a = File::open(dir_ / "p", File::Mode::kAppend).value();
  ASSERT_TRUE(a.write_all(Bytes{9}).ok());
  EXPECT_EQ(read_file(dir_ / "p", 100).value(), (Bytes{1, 2, 0, 9}));
}

}  // namespace
}  // namespace arca
