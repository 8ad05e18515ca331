#include "store/fs/fs_staged_directory.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;

Result<void> put(StagedDirectory& dir, const std::string& rel, std::string_view text) {
  auto f = ARCA_TRY(dir.create_file(rel));
  ARCA_TRY(f->write(as_bytes(text)));
  return f->commit();
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

TEST(FsStagedDirectory, NothingAppearsUntilPublished) {
  arca::test::TempDir tmp;
  SeededRandom random(1);
  const fs::path final_dir = tmp.path() / "backup";
  {
    auto dir = FsStagedDirectory::create(final_dir, random).value();
    ASSERT_TRUE(put(*dir, "blobs/ab/abcd", "x").ok());
    EXPECT_FALSE(fs::exists(final_dir));
  }  // abandoned: removed
  EXPECT_EQ(entries(tmp.path()), 0u);
  auto dir = FsStagedDirectory::create(final_dir, random).value();
  ASSERT_TRUE(put(*dir, "blobs/ab/abcd", "x").ok());
  ASSERT_TRUE(put(*dir, "manifest.json", "{}").ok());
  ASSERT_TRUE(dir->publish().ok());
  EXPECT_EQ(read_file(final_dir / "blobs/ab/abcd", 10).value(), Bytes{'x'});
  EXPECT_EQ(entries(tmp.path()), 1u);  // no staging directory left
  EXPECT_EQ(fs::status(final_dir).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST(FsStagedDirectory, TakesAnEmptyDirectoryRefusesAFullOne) {
  arca::test::TempDir tmp;
  SeededRandom random(1);
  fs::create_directories(tmp.path() / "empty");
  auto dir = FsStagedDirectory::create(tmp.path() / "empty", random);
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(put(**dir, "a", "1").ok());
  ASSERT_TRUE((*dir)->publish().ok());
  EXPECT_TRUE(fs::exists(tmp.path() / "empty" / "a"));
  auto full = FsStagedDirectory::create(tmp.path() / "empty", random);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code, ErrorCode::kAlreadyExists);
}

TEST(FsStagedDirectory, RefusesPathsOutsideItself) {
  arca::test::TempDir tmp;
  SeededRandom random(1);
  auto dir = FsStagedDirectory::create(tmp.path() / "b", random).value();
  for (const char* bad : {"../escape", "/etc/x", "a/../../b", "./a", ""})
    EXPECT_FALSE(dir->create_file(bad).ok()) << bad;
  EXPECT_FALSE(fs::exists(tmp.path() / "escape"));
}

}  // namespace
}  // namespace arca::store
