#include "service/backup_blob_list.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_dir.h"

namespace arca::service {
namespace {

std::string id(char c) {
  return std::string(32, c);
}

std::filesystem::path write(const test::TempDir& dir, const std::string& text) {
  auto p = dir.path() / "blobs.list";
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  return p;
}

std::string line(char c, std::uint64_t size = 10) {
  return blob_list_line({store::BlobId(id(c)), size, std::string(64, 'e')});
}

TEST(BlobList, ReadsWhatItWritesInOrderAndSeeks) {
  test::TempDir dir;
  auto p = write(dir, line('1') + line('5', 77) + line('a'));
  auto r = BlobListReader::open(p).value();
  auto e = r.next().value();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id.str(), id('1'));
  e = r.seek(store::BlobId(id('4'))).value();  // first id >= 444…: 555…
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id.str(), id('5'));
  EXPECT_EQ(e->size, 77u);
  e = r.seek(store::BlobId(id('5'))).value();  // the same again: still there
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id.str(), id('5'));
  e = r.seek(store::BlobId(id('b'))).value();
  EXPECT_FALSE(e);
  EXPECT_FALSE(r.next().value());
}

TEST(BlobList, RefusesMalformedLinesAndDisorder) {
  for (const std::string& text :
       {line('5') + line('1'), line('5') + line('5'), std::string("zz 1 ") + id('1') + "\n",
        std::string(64, 'e') + " -1 " + id('1') + "\n", std::string(64, 'e') + " 1 " + id('1'),
        std::string(64, 'e') + " 1 " + std::string(31, '1') + "\n",
        std::string(64, 'E') + " 1 " + id('1') + "\n", std::string("\n")}) {
    test::TempDir dir;
    auto r = BlobListReader::open(write(dir, text)).value();
    Result<std::optional<BlobListEntry>> e = r.next();
    while (e.ok() && *e)
      e = r.next();
    EXPECT_FALSE(e.ok()) << text;
  }
  test::TempDir dir;
  EXPECT_EQ(BlobListReader::open(dir.path() / "none").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace arca::service
