#include "store/fs/fs_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "store/blob_store_contract.h"
#include "store/testing/memory_blob_store.h"
#include "test_dir.h"

namespace arca::store {
namespace {

namespace fs = std::filesystem;

struct FsFixture : BlobStoreFixture {
  test::TempDir dir;
  std::unique_ptr<FsBlobStore> fs_store = FsBlobStore::open(dir.path() / "blobs").value();
  BlobStore& store() override { return *fs_store; }
};

struct MemoryFixture : BlobStoreFixture {
  MemoryBlobStore memory;
  BlobStore& store() override { return memory; }
};

INSTANTIATE_TEST_SUITE_P(Fs, BlobStoreContract, ::testing::Values([] {
                           return std::unique_ptr<BlobStoreFixture>(std::make_unique<FsFixture>());
                         }));
INSTANTIATE_TEST_SUITE_P(Memory, BlobStoreContract, ::testing::Values([] {
                           return std::unique_ptr<BlobStoreFixture>(
                               std::make_unique<MemoryFixture>());
                         }));

TEST(FsBlobStoreTest, UnfinishedWritesAreSweptAndInvisible) {
  FsFixture f;
  BlobId id("0123456789abcdef0123456789abcdef");
  auto w = f.fs_store->create(id, BlobScope{}).value();
  ASSERT_TRUE(w->write(pattern_bytes(1000, 1)).ok());
  // Simulate a crash: the process dies with the temp file on disk. Leak the writer's file by
  // copying the temp file aside before the writer's destructor cleans it.
  fs::path tmp_dir = f.dir.path() / "blobs" / "tmp";
  ASSERT_EQ(std::distance(fs::directory_iterator(tmp_dir), fs::directory_iterator()), 1);
  fs::copy_file(fs::directory_iterator(tmp_dir)->path(), tmp_dir / "crashed.tmp");
  w.reset();
  EXPECT_EQ(f.fs_store->open(id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.fs_store->remove_incomplete().value(), 1u);
  EXPECT_TRUE(fs::is_empty(tmp_dir));
}

TEST(FsBlobStoreTest, FilesArePrivate) {
  FsFixture f;
  BlobId id("00112233445566778899aabbccddeeff");
  auto w = f.fs_store->create(id, BlobScope{}).value();
  ASSERT_TRUE(w->write(pattern_bytes(10, 1)).ok());
  ASSERT_TRUE(w->commit().ok());
  struct stat st {};
  ASSERT_EQ(::stat(f.fs_store->path_of(id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
  EXPECT_EQ(f.fs_store->path_of(id).parent_path().filename(), "00");
}

TEST(FsBlobStoreTest, RejectsMalformedIds) {
  FsFixture f;
  EXPECT_EQ(f.fs_store->create(BlobId("../../etc/passwd"), BlobScope{}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.fs_store->open(BlobId("ABC")).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace arca::store
