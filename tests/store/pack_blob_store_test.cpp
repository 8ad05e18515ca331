// PackBlobStore (src/store/fs/pack_blob_store.h): the BlobStore contract, the record format on
// disk, removal, rollover, concurrency and the legacy layer. Recovery: pack_recovery_test.cpp.
#include "store/fs/pack_blob_store.h"

#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "store/blob_store_contract.h"
#include "store/fs/fs_blob_store.h"
#include "store/fs/layered_blob_store.h"
#include "store/fs/pack_format.h"
#include "store/pack_test_support.h"

namespace arca::store {
namespace {

struct PackContractFixture : BlobStoreFixture {
  explicit PackContractFixture(PackOptions o = {}) : f(o) {}
  BlobStore& store() override { return *f.pack; }
  PackFixture f;
};

struct LayeredFixture : BlobStoreFixture {
  test::TempDir dir;
  std::unique_ptr<FsBlobStore> legacy = FsBlobStore::open(dir.path() / "blobs").value();
  std::unique_ptr<PackBlobStore> packs = PackBlobStore::open(dir.path() / "blobs").value();
  LayeredBlobStore layered{*packs, *legacy};
  BlobStore& store() override { return layered; }
};

INSTANTIATE_TEST_SUITE_P(Pack, BlobStoreContract, ::testing::Values([] {
                           return std::unique_ptr<BlobStoreFixture>(
                               std::make_unique<PackContractFixture>());
                         }));
INSTANTIATE_TEST_SUITE_P(SmallPacks, BlobStoreContract, ::testing::Values([] {
                           return std::unique_ptr<BlobStoreFixture>(
                               std::make_unique<PackContractFixture>(PackOptions{100000, nullptr}));
                         }));
INSTANTIATE_TEST_SUITE_P(Layered, BlobStoreContract, ::testing::Values([] {
                           return std::unique_ptr<BlobStoreFixture>(
                               std::make_unique<LayeredFixture>());
                         }));

TEST(PackBlobStoreTest, RecordsAreAlignedWithAHeader) {
  ManualClock clock(Clock::TimePoint(std::chrono::milliseconds(1'700'000'000'123)));
  PackFixture f(PackOptions{std::uint64_t{1} << 30, &clock});
  ASSERT_TRUE(f.put(pack_id(1), pattern_bytes(5000, 1)).ok());
  ASSERT_TRUE(f.put(pack_id(2), pattern_bytes(10, 2)).ok());
  auto second = f.pack->locate(pack_id(2)).value();
  EXPECT_EQ(second.pack, f.pack_file(1));
  EXPECT_EQ(second.data_offset, 8192u + pack::kHeaderSize);
  auto header = pack::decode_header(read_bytes(second.pack, 8192, pack::kHeaderSize));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->state, pack::RecordState::kCommitted);
  EXPECT_EQ(header->id, pack::parse_id(pack_id(2)));
  EXPECT_EQ(header->length, 10u);
  EXPECT_EQ(header->time_ms, 1'700'000'000'123);
  EXPECT_EQ(read_bytes(second.pack, second.data_offset, 10), pattern_bytes(10, 2));
  EXPECT_EQ(fs::file_size(f.idx_file(1)), 2 * pack::kIdxEntrySize);
  bool listed = false;
  ASSERT_TRUE(f.pack
                  ->list([&](const BlobInfo& info) -> Result<void> {
                    if (info.id == pack_id(2)) {
                      listed = true;
                      EXPECT_EQ(info.modified, clock.now());
                      EXPECT_EQ(info.stored_size, 10u);
                    }
                    return ok();
                  })
                  .ok());
  EXPECT_TRUE(listed);
}

TEST(PackBlobStoreTest, FilesArePrivate) {
  PackFixture f;
  ASSERT_TRUE(f.put(pack_id(1), pattern_bytes(10, 1)).ok());
  for (const fs::path& p : {f.packs(), f.pack_file(1), f.idx_file(1)}) {
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0077, 0u) << p;
  }
}

TEST(PackBlobStoreTest, RejectsMalformedIds) {
  PackFixture f;
  EXPECT_EQ(f.pack->create(BlobId("../../etc/passwd"), BlobScope{}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.pack->open(BlobId("ABC")).error().code, ErrorCode::kInvalidArgument);
}

TEST(PackBlobStoreTest, AbortedWriterLeavesNothing) {
  PackFixture f;
  ASSERT_TRUE(f.put(pack_id(1), pattern_bytes(5000, 1)).ok());
  const auto before = fs::file_size(f.pack_file(1));
  {
    auto w = f.pack->create(pack_id(2), BlobScope{}).value();
    for (int i = 0; i < 3; ++i)  // past the 1 MiB buffer: bytes reach the pack
      ASSERT_TRUE(w->write(pattern_bytes(700000, i)).ok());
    EXPECT_GT(fs::file_size(f.pack_file(1)), 1'000'000u);
  }
  EXPECT_LE(fs::file_size(f.pack_file(1)), pack::align_up(before));
  const auto after_big = fs::file_size(f.pack_file(1));
  {
    auto w = f.pack->create(pack_id(3), BlobScope{}).value();
    ASSERT_TRUE(w->write(pattern_bytes(100, 3)).ok());  // only ever in the buffer
  }
  EXPECT_EQ(fs::file_size(f.pack_file(1)), after_big);
  EXPECT_EQ(f.pack->open(pack_id(2)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.listed(), std::set<std::string>{pack_id(1).str()});
  f.reopen();
  EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
  EXPECT_EQ(f.listed(), std::set<std::string>{pack_id(1).str()});
  ASSERT_TRUE(f.put(pack_id(2), pattern_bytes(10, 2)).ok());
  EXPECT_EQ(f.get(pack_id(2)), pattern_bytes(10, 2));
  EXPECT_EQ(f.pack_count(), 1u);
}

// A producer may put bytes straight into the writer's buffer (reserve_in_place, as the encryptor
// does) between ordinary writes, across buffer flushes; the blob is the bytes in order.
TEST(PackBlobStoreTest, BytesPutInPlaceJoinWrittenOnes) {
  PackFixture f;
  auto w = f.pack->create(pack_id(1), BlobScope{}).value();
  Bytes expected;
  for (int i = 0; i < 12; ++i) {  // 12 × ~150 KB: past the 1 MiB buffer
    Bytes piece = pattern_bytes(150'001 + i, i);
    if (i % 3 == 0) {
      ASSERT_TRUE(w->write(piece).ok());
    } else {
      MutableByteView room = w->reserve_in_place(piece.size()).value();
      ASSERT_EQ(room.size(), piece.size());
      std::copy(piece.begin(), piece.end(), room.begin());
      ASSERT_TRUE(w->commit_in_place(piece.size()).ok());
    }
    expected.insert(expected.end(), piece.begin(), piece.end());
  }
  ASSERT_TRUE(w->commit().ok());
  EXPECT_EQ(f.get(pack_id(1)), expected);
}

TEST(PackBlobStoreTest, InPlaceRoomIsBoundedAndChecked) {
  PackFixture f;
  auto w = f.pack->create(pack_id(1), BlobScope{}).value();
  EXPECT_TRUE(w->reserve_in_place(std::size_t{2} << 20).value().empty());  // more than a buffer
  ASSERT_EQ(w->reserve_in_place(10).value().size(), 10u);
  EXPECT_EQ(w->commit_in_place(11).error().code, ErrorCode::kInternal);
  ASSERT_TRUE(w->write(pattern_bytes(5, 1)).ok());
  ASSERT_TRUE(w->commit().ok());
  EXPECT_EQ(f.get(pack_id(1)), pattern_bytes(5, 1));
  EXPECT_FALSE(w->reserve_in_place(10).ok());  // after commit
}

// Removal leaves zeros over every byte of the data, whatever its alignment, and spares the
// neighbours.
TEST(PackBlobStoreTest, RemovalZeroesTheData) {
  PackFixture f;
  const std::size_t sizes[] = {1, 100, 4032, 4033, 10000, 1'048'700};
  int n = 0;
  for (std::size_t size : sizes) {
    ++n;
    ASSERT_TRUE(f.put(pack_id(n), pattern_bytes(size, n)).ok());
    ASSERT_TRUE(f.put(pack_id(100 + n), pattern_bytes(size, 100 + n)).ok());  // a neighbour
  }
  n = 0;
  for (std::size_t size : sizes) {
    ++n;
    auto at = f.pack->locate(pack_id(n)).value();
    ASSERT_EQ(read_bytes(at.pack, at.data_offset, size), pattern_bytes(size, n));
    ASSERT_TRUE(f.pack->remove(pack_id(n)).ok());
    EXPECT_EQ(read_bytes(at.pack, at.data_offset, size), Bytes(size, 0)) << size;
    auto header = pack::decode_header(
        read_bytes(at.pack, at.data_offset - pack::kHeaderSize, pack::kHeaderSize));
    ASSERT_TRUE(header);
    EXPECT_EQ(header->state, pack::RecordState::kRemoved);
    EXPECT_EQ(f.pack->open(pack_id(n)).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(f.pack->remove(pack_id(n)).error().code, ErrorCode::kNotFound);
  }
  n = 0;
  for (std::size_t size : sizes) {
    ++n;
    EXPECT_EQ(f.get(pack_id(100 + n)), pattern_bytes(size, 100 + n));
  }
  f.reopen();
  EXPECT_EQ(f.listed().size(), std::size(sizes));
  EXPECT_EQ(f.pack->open(pack_id(3)).error().code, ErrorCode::kNotFound);
  // An id can be stored again after its removal.
  ASSERT_TRUE(f.put(pack_id(3), pattern_bytes(10, 9)).ok());
  f.reopen();
  EXPECT_EQ(f.get(pack_id(3)), pattern_bytes(10, 9));
}

TEST(PackBlobStoreTest, RollsOverAtTheSizeLimit) {
  PackFixture f(PackOptions{64 * 1024, nullptr});
  for (int i = 1; i <= 10; ++i)
    ASSERT_TRUE(f.put(pack_id(i), pattern_bytes(20000, i)).ok());
  EXPECT_GE(f.pack_count(), 3u);
  for (int n = 1; n <= static_cast<int>(f.pack_count()); ++n)
    EXPECT_LE(fs::file_size(f.pack_file(n)), 64u * 1024 + 4096 + 20000);
  f.reopen();
  const auto packs = f.pack_count();
  for (int i = 1; i <= 10; ++i)
    EXPECT_EQ(f.get(pack_id(i)), pattern_bytes(20000, i));
  ASSERT_TRUE(f.put(pack_id(11), pattern_bytes(20000, 11)).ok());
  EXPECT_LE(f.pack_count(), packs + 1);
  EXPECT_EQ(f.listed().size(), 11u);
}

std::uint64_t allocated_bytes(const fs::path& file) {
  struct stat st {};
  EXPECT_EQ(::stat(file.c_str(), &st), 0);
  return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

TEST(PackBlobStoreTest, PacksArePreallocatedAheadAndGiveItBackWhenRetired) {
  PackFixture f(PackOptions{PackBlobStore::kPreallocateAhead, nullptr});
  ASSERT_TRUE(f.put(pack_id(1), pattern_bytes(300000, 1)).ok());
  // The file ends where the record does; its blocks reach ahead for the next records.
  EXPECT_EQ(fs::file_size(f.pack_file(1)), pack::kHeaderSize + 300000);
  const fs::path probe = f.dir.path() / "probe";
  auto file = pack::PackFile::open(probe, pack::PackFile::Open::kCreateExclusive).value();
  if (!file.preallocate(0, 1 << 20))
    GTEST_SKIP() << "the file system cannot preallocate past the end of a file";
  EXPECT_GE(allocated_bytes(f.pack_file(1)), PackBlobStore::kPreallocateAhead);
  // Past the size limit the pack is retired and what it reserved is given back.
  ASSERT_TRUE(f.put(pack_id(2), pattern_bytes(PackBlobStore::kPreallocateAhead, 2)).ok());
  const std::uint64_t size = fs::file_size(f.pack_file(1));
  EXPECT_LE(allocated_bytes(f.pack_file(1)), pack::align_up(size) + 4096);
  EXPECT_EQ(f.get(pack_id(1)), pattern_bytes(300000, 1));
  EXPECT_EQ(f.get(pack_id(2)), pattern_bytes(PackBlobStore::kPreallocateAhead, 2));
  f.reopen();
  EXPECT_EQ(f.get(pack_id(2)), pattern_bytes(PackBlobStore::kPreallocateAhead, 2));
}

TEST(PackBlobStoreTest, ConcurrentWritersEachGetTheirOwnPack) {
  PackFixture f;
  constexpr int kThreads = 4;
  constexpr int kEach = 40;
  {
    std::vector<std::unique_ptr<BlobWriter>> open_writers;
    for (int t = 0; t < kThreads; ++t)
      open_writers.push_back(f.pack->create(pack_id(1000 + t), BlobScope{}).value());
    EXPECT_EQ(f.pack_count(), static_cast<std::size_t>(kThreads));
  }
  std::atomic<int> failures{0};
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int n = t * kEach + i;
        if (!f.put(pack_id(n), pattern_bytes(static_cast<std::size_t>(1000 + n * 97), n)).ok())
          ++failures;
      }
    });
  }
  threads.clear();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(f.pack_count(), static_cast<std::size_t>(kThreads));
  for (int pass = 0; pass < 2; ++pass) {
    for (int n = 0; n < kThreads * kEach; ++n)
      ASSERT_EQ(f.get(pack_id(n)), pattern_bytes(static_cast<std::size_t>(1000 + n * 97), n)) << n;
    EXPECT_EQ(f.listed().size(), static_cast<std::size_t>(kThreads * kEach));
    f.reopen();
    EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
  }
}

TEST(PackBlobStoreTest, DuplicateIdFromConcurrentWritersCommitsOnce) {
  for (int round = 0; round < 20; ++round) {
    PackFixture f;
    auto a = f.pack->create(pack_id(1), BlobScope{}).value();
    auto b = f.pack->create(pack_id(1), BlobScope{}).value();
    ASSERT_TRUE(a->write(pattern_bytes(3000, 1)).ok());
    ASSERT_TRUE(b->write(pattern_bytes(3000, 2)).ok());
    Result<void> ra = ok();
    Result<void> rb = ok();
    {
      std::jthread ta([&] { ra = a->commit(); });
      std::jthread tb([&] { rb = b->commit(); });
    }
    ASSERT_NE(ra.ok(), rb.ok());
    EXPECT_EQ((ra.ok() ? rb : ra).error().code, ErrorCode::kAlreadyExists);
    a.reset();
    b.reset();
    Bytes winner = pattern_bytes(3000, ra.ok() ? 1 : 2);
    EXPECT_EQ(f.get(pack_id(1)), winner);
    f.reopen();
    EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
    EXPECT_EQ(f.get(pack_id(1)), winner);
    EXPECT_EQ(f.listed().size(), 1u);
  }
}

TEST(PackBlobStoreTest, LayeredStoreServesLegacyFiles) {
  LayeredFixture f;
  for (int i = 1; i <= 3; ++i) {
    auto w = f.legacy->create(pack_id(i), BlobScope{}).value();
    ASSERT_TRUE(w->write(pattern_bytes(100, i)).ok());
    ASSERT_TRUE(w->commit().ok());
  }
  auto w = f.layered.create(pack_id(4), BlobScope{}).value();
  ASSERT_TRUE(w->write(pattern_bytes(100, 4)).ok());
  ASSERT_TRUE(w->commit().ok());
  EXPECT_TRUE(f.packs->open(pack_id(4)).ok());  // new blobs go to packs
  EXPECT_EQ(f.legacy->open(pack_id(4)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.layered.create(pack_id(2), BlobScope{}).error().code, ErrorCode::kAlreadyExists);
  for (int i = 1; i <= 4; ++i) {
    auto reader = f.layered.open(pack_id(i)).value();
    BlobSource src(*reader);
    EXPECT_EQ(read_all(src, 1000).value(), pattern_bytes(100, i));
  }
  std::set<std::string> seen;
  ASSERT_TRUE(f.layered
                  .list([&](const BlobInfo& info) -> Result<void> {
                    seen.insert(info.id.str());
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(seen.size(), 4u);
  ASSERT_TRUE(f.layered.remove(pack_id(2)).ok());
  EXPECT_FALSE(fs::exists(f.legacy->path_of(pack_id(2))));
  EXPECT_EQ(f.layered.open(pack_id(2)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.layered.remove(pack_id(2)).error().code, ErrorCode::kNotFound);
  // An unfinished legacy temp file is swept through the layer.
  auto unfinished = f.legacy->create(pack_id(9), BlobScope{}).value();
  fs::path tmp = f.dir.path() / "blobs" / "tmp";
  fs::copy_file(fs::directory_iterator(tmp)->path(), tmp / "crashed.tmp");
  unfinished.reset();
  EXPECT_EQ(f.layered.remove_incomplete().value(), 1u);
}

}  // namespace
}  // namespace arca::store
