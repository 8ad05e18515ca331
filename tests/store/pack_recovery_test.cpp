// PackBlobStore recovery (docs/formats/pack.md §5): the map rebuilt from the .idx hints and from
// scanning the packs, torn tails left by a crash, and removals whose tombstone was lost.
#include <gtest/gtest.h>

#include "store/fs/pack_blob_store.h"
#include "store/fs/pack_format.h"
#include "store/pack_test_support.h"

namespace arca::store {
namespace {

constexpr int kBlobs = 6;

std::size_t blob_size(int i) {
  return static_cast<std::size_t>(i) * 3001;
}

void put_all(PackFixture& f) {
  for (int i = 1; i <= kBlobs; ++i)
    ASSERT_TRUE(f.put(pack_id(i), pack_bytes(blob_size(i), i)).ok());
}

// The six blobs of put_all and `more` others.
void expect_all(PackFixture& f, std::size_t more = 0) {
  for (int i = 1; i <= kBlobs; ++i)
    EXPECT_EQ(f.get(pack_id(i)), pack_bytes(blob_size(i), i)) << i;
  EXPECT_EQ(f.listed().size(), kBlobs + more);
}

TEST(PackRecoveryTest, ReopenRebuildsTheMapFromTheIdx) {
  PackFixture f;
  put_all(f);
  ASSERT_TRUE(f.pack->remove(pack_id(2)).ok());
  const auto idx_size = fs::file_size(f.idx_file(1));
  EXPECT_EQ(idx_size, (kBlobs + 1) * pack::kIdxEntrySize);  // six entries and a tombstone
  f.reopen();
  EXPECT_EQ(fs::file_size(f.idx_file(1)), idx_size);  // nothing was missing: no scan results
  EXPECT_EQ(f.pack->open(pack_id(2)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.listed().size(), static_cast<std::size_t>(kBlobs - 1));
  EXPECT_EQ(f.get(pack_id(6)), pack_bytes(blob_size(6), 6));
}

enum class IdxDamage { kDeleted, kTornMidEntry, kZeroed, kTruncatedToOneEntry };

class PackIdxDamageTest : public ::testing::TestWithParam<IdxDamage> {};

TEST_P(PackIdxDamageTest, ScanningFindsEveryCommittedBlob) {
  PackFixture f;
  put_all(f);
  f.pack.reset();
  const fs::path idx = f.idx_file(1);
  const auto full = fs::file_size(idx);
  switch (GetParam()) {
    case IdxDamage::kDeleted:
      fs::remove(idx);
      break;
    case IdxDamage::kTornMidEntry:
      fs::resize_file(idx, 3 * pack::kIdxEntrySize + 20);
      break;
    case IdxDamage::kZeroed:
      write_bytes(idx, 0, Bytes(full, 0));
      break;
    case IdxDamage::kTruncatedToOneEntry:
      fs::resize_file(idx, pack::kIdxEntrySize);
      break;
  }
  f.reopen();
  expect_all(f);
  EXPECT_EQ(fs::file_size(idx), full);  // rebuilt by the scan
  EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
  ASSERT_TRUE(f.put(pack_id(50), pack_bytes(10, 50)).ok());
  f.reopen();
  expect_all(f, 1);
  EXPECT_EQ(f.get(pack_id(50)), pack_bytes(10, 50));
}

INSTANTIATE_TEST_SUITE_P(Damage, PackIdxDamageTest,
                         ::testing::Values(IdxDamage::kDeleted, IdxDamage::kTornMidEntry,
                                           IdxDamage::kZeroed, IdxDamage::kTruncatedToOneEntry));

enum class Tail { kWritingRecord, kRecordPastEndOfFile, kGarbage, kShortFragment };

class PackTornTailTest : public ::testing::TestWithParam<Tail> {};

// What a crash mid-write leaves at the end of a pack is ignored, cut off by remove_incomplete,
// and writes go on.
TEST_P(PackTornTailTest, IsIgnoredThenCutOff) {
  PackFixture f;
  put_all(f);
  f.pack.reset();
  const fs::path pack = f.pack_file(1);
  const std::uint64_t tail = pack::align_up(fs::file_size(pack));
  const auto id = *pack::parse_id(pack_id(77));
  switch (GetParam()) {
    case Tail::kWritingRecord: {
      auto h = pack::encode_header({pack::RecordState::kWriting, id, 0, 0});
      write_bytes(pack, tail, h);
      write_bytes(pack, tail + h.size(), pack_bytes(5000, 77));
      break;
    }
    case Tail::kRecordPastEndOfFile: {
      auto h = pack::encode_header({pack::RecordState::kCommitted, id, 100000, 1});
      write_bytes(pack, tail, h);
      write_bytes(pack, tail + h.size(), pack_bytes(5000, 77));
      break;
    }
    case Tail::kGarbage:
      write_bytes(pack, tail, pack_bytes(9000, 3));
      break;
    case Tail::kShortFragment:
      write_bytes(pack, tail, pack_bytes(30, 3));
      break;
  }
  f.reopen();
  expect_all(f);
  EXPECT_EQ(f.pack->open(pack_id(77)).error().code, ErrorCode::kNotFound);
  // Until the tail is cut, no writer appends behind it.
  ASSERT_TRUE(f.put(pack_id(60), pack_bytes(100, 60)).ok());
  EXPECT_EQ(f.pack->locate(pack_id(60)).value().pack, f.pack_file(2));
  EXPECT_EQ(f.pack->remove_incomplete().value(), 1u);
  EXPECT_EQ(fs::file_size(pack), tail);
  EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
  f.reopen();
  EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
  for (int i = 61; i <= 64; ++i)
    ASSERT_TRUE(f.put(pack_id(i), pack_bytes(100, i)).ok());
  f.reopen();
  expect_all(f, 5);
  for (int i = 60; i <= 64; ++i)
    EXPECT_EQ(f.get(pack_id(i)), pack_bytes(100, i));
}

INSTANTIATE_TEST_SUITE_P(Tails, PackTornTailTest,
                         ::testing::Values(Tail::kWritingRecord, Tail::kRecordPastEndOfFile,
                                           Tail::kGarbage, Tail::kShortFragment));

// The .idx is not synced: a crash can lose a removal's tombstone. The record's header says
// removed, so the blob stays gone.
TEST(PackRecoveryTest, RemovalSurvivesALostTombstone) {
  PackFixture f;
  put_all(f);
  auto at = f.pack->locate(pack_id(3)).value();
  ASSERT_TRUE(f.pack->remove(pack_id(3)).ok());
  f.pack.reset();
  fs::resize_file(f.idx_file(1), kBlobs * pack::kIdxEntrySize);  // the tombstone is lost
  f.reopen();
  EXPECT_EQ(f.pack->open(pack_id(3)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.pack->remove(pack_id(3)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(f.listed().size(), static_cast<std::size_t>(kBlobs - 1));
  EXPECT_EQ(read_bytes(at.pack, at.data_offset, at.length), Bytes(at.length, 0));
  // The same without any .idx: the scan steps over the removed record.
  f.pack.reset();
  fs::remove(f.idx_file(1));
  f.reopen();
  EXPECT_EQ(f.listed().size(), static_cast<std::size_t>(kBlobs - 1));
  EXPECT_EQ(f.get(pack_id(6)), pack_bytes(blob_size(6), 6));
  EXPECT_EQ(f.pack->remove_incomplete().value(), 0u);
}

// A lost tombstone and the id stored again in another record: the later commit wins.
TEST(PackRecoveryTest, StaleEntryOfAReusedIdLoses) {
  ManualClock clock(Clock::TimePoint(std::chrono::seconds(1'700'000'000)));
  PackFixture f(PackOptions{std::uint64_t{1} << 30, &clock});
  put_all(f);
  ASSERT_TRUE(f.pack->remove(pack_id(1)).ok());
  clock.advance(std::chrono::seconds(1));
  ASSERT_TRUE(f.put(pack_id(1), pack_bytes(10, 99)).ok());
  f.pack.reset();
  // Drop the tombstone (entry 7 of 8) but keep the new record's entry.
  Bytes idx = read_bytes(f.idx_file(1), 0, 8 * pack::kIdxEntrySize);
  Bytes kept(idx.begin(), idx.begin() + 6 * pack::kIdxEntrySize);
  kept.insert(kept.end(), idx.begin() + 7 * pack::kIdxEntrySize, idx.end());
  fs::resize_file(f.idx_file(1), 0);
  write_bytes(f.idx_file(1), 0, kept);
  f.reopen();
  EXPECT_EQ(f.get(pack_id(1)), pack_bytes(10, 99));
  EXPECT_EQ(f.listed().size(), static_cast<std::size_t>(kBlobs));
}

// A two-step commit (BlobWriter::commit_unsynced, then sync): visible at once, named in the
// .idx only once synced. A record the .idx does not name is reported unverified by every open
// until confirmed.
TEST(PackRecoveryTest, TwoStepCommitsAreIndexedOnlyOnceSynced) {
  PackFixture f;
  ASSERT_TRUE(f.put(pack_id(1), pack_bytes(5000, 1)).ok());
  EXPECT_TRUE(f.pack->unverified().empty());
  EXPECT_GT(f.pack->newest_commit_ms(), 0);

  auto synced = f.pack->create(pack_id(2), BlobScope{}).value();
  ASSERT_TRUE(synced->write(pack_bytes(7000, 2)).ok());
  ASSERT_TRUE(synced->commit_unsynced().ok());
  EXPECT_EQ(f.get(pack_id(2)), pack_bytes(7000, 2));  // visible before the sync
  EXPECT_EQ(fs::file_size(f.idx_file(1)), pack::kIdxEntrySize);
  ASSERT_TRUE(synced->sync().ok());
  EXPECT_EQ(fs::file_size(f.idx_file(1)), 2 * pack::kIdxEntrySize);
  EXPECT_FALSE(synced->sync().ok());  // once only
  synced.reset();

  {  // a crash between the two steps: the writer never syncs
    auto unsynced = f.pack->create(pack_id(3), BlobScope{}).value();
    ASSERT_TRUE(unsynced->write(pack_bytes(9000, 3)).ok());
    ASSERT_TRUE(unsynced->commit_unsynced().ok());
  }
  // Named unverified: the next writer's entry must not hide it from the next open's scan.
  EXPECT_EQ(fs::file_size(f.idx_file(1)), 3 * pack::kIdxEntrySize);
  // The pack went back to the pool: the next writer appends behind the unsynced record.
  ASSERT_TRUE(f.put(pack_id(4), pack_bytes(3000, 4)).ok());

  f.reopen();
  const std::vector<BlobId> suspect{pack_id(3)};
  EXPECT_EQ(f.pack->unverified(), suspect);
  EXPECT_EQ(f.get(pack_id(3)), pack_bytes(9000, 3));  // readable; whoever trusts it checks it
  f.reopen();                                         // not confirmed yet: still unverified
  EXPECT_EQ(f.pack->unverified(), suspect);
  ASSERT_TRUE(f.pack->confirm_unverified().ok());
  EXPECT_TRUE(f.pack->unverified().empty());
  f.reopen();
  EXPECT_TRUE(f.pack->unverified().empty());
  EXPECT_EQ(f.listed().size(), 4u);
  EXPECT_EQ(f.get(pack_id(4)), pack_bytes(3000, 4));
}

TEST(PackRecoveryTest, ScannedRecordsAreUnverifiedUntilConfirmedAndRemovalsForgetThem) {
  PackFixture f;
  put_all(f);
  f.pack.reset();
  fs::remove(f.idx_file(1));
  f.reopen();
  EXPECT_EQ(f.pack->unverified().size(), static_cast<std::size_t>(kBlobs));
  ASSERT_TRUE(f.pack->remove(pack_id(2)).ok());
  EXPECT_EQ(f.pack->unverified().size(), static_cast<std::size_t>(kBlobs - 1));
  f.reopen();  // the tombstone follows the kUnverified entry: removed, not suspect
  EXPECT_EQ(f.pack->unverified().size(), static_cast<std::size_t>(kBlobs - 1));
  ASSERT_TRUE(f.pack->confirm_unverified().ok());
  f.reopen();
  EXPECT_TRUE(f.pack->unverified().empty());
  EXPECT_EQ(f.listed().size(), static_cast<std::size_t>(kBlobs - 1));
}

}  // namespace
}  // namespace arca::store
