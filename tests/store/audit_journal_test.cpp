#include "store/encrypted/audit_journal.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>

#include "audit_journal_support.h"
#include "core/file.h"
#include "test_dir.h"

namespace arca::store {
namespace {

using test::journal_key;
using test::journal_record;

class AuditJournalTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_.path() / "audit.journal"; }
  // The tests of the file's layout write with pwrite (what is in the file is exactly the frames);
  // the mapped ones below ask for the mapping.
  AuditJournal create(AuditJournal::Writes writes = AuditJournal::Writes::kPwrite) {
    return AuditJournal::create(file(), journal_key(), random_, writes).value();
  }
  bool mappable() {
    auto f = File::open(dir_.path() / "probe", File::Mode::kReadWrite).value();
    return MappedAppendArea::supported(f.fd());
  }
  Bytes contents() const { return read_file(file(), 1 << 24).value(); }
  void overwrite(const Bytes& bytes) const {
    auto f = File::open(file(), File::Mode::kReadWriteExisting).value();
    ASSERT_TRUE(f.truncate(0).ok());
    ASSERT_TRUE(f.write_at(0, bytes).ok());
  }

  arca::test::TempDir dir_;
  SeededRandom random_{42};
};

TEST_F(AuditJournalTest, RoundTripsEveryField) {
  auto journal = create();
  AuditRecord odd = journal_record(2);
  odd.patients.clear();
  odd.instances = {"", std::string(5000, '9')};
  odd.detail = std::string("a\0b,c", 5);
  odd.time_ms = -5;
  ASSERT_TRUE(journal.append({journal_record(1)}).ok());
  ASSERT_TRUE(journal.append({odd, journal_record(3)}).ok());
  ASSERT_TRUE(journal.sync().ok());
  EXPECT_EQ(journal.size(), contents().size());
  auto read = AuditJournal::read(file(), journal_key()).value();
  EXPECT_FALSE(read.torn);
  EXPECT_EQ(read.intact_bytes, contents().size());
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records[0], journal_record(1));
  EXPECT_EQ(read.records[1], odd);
  EXPECT_EQ(read.records[2], journal_record(3));
}

TEST_F(AuditJournalTest, NothingIsInClearAndTheFileIsPrivate) {
  auto journal = create();
  ASSERT_TRUE(journal.append({journal_record(1)}).ok());
  const Bytes bytes = contents();
  const std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(text.find("ae:CT1"), std::string::npos);
  EXPECT_EQ(text.find("1.2.3.4.5"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AuditJournalTest, EveryFileHasItsOwnSalt) {
  { auto a = create(); }
  const Bytes first = contents();
  { auto b = create(); }
  EXPECT_NE(first, contents());
  EXPECT_EQ(first.size(), AuditJournal::kHeaderSize);
  EXPECT_TRUE(AuditJournal::read(file(), journal_key()).value().records.empty());
}

TEST_F(AuditJournalTest, ATornLastFrameIsDiscarded) {
  auto journal = create();
  ASSERT_TRUE(journal.append({journal_record(1), journal_record(2), journal_record(3)}).ok());
  const Bytes whole = contents();
  for (std::size_t cut : {1u, 17u, 40u}) {
    overwrite(Bytes(whole.begin(), whole.end() - static_cast<std::ptrdiff_t>(cut)));
    auto read = AuditJournal::read(file(), journal_key()).value();
    EXPECT_TRUE(read.torn) << cut;
    ASSERT_EQ(read.records.size(), 2u) << cut;
    EXPECT_EQ(read.records[1], journal_record(2));
  }
  // Zeros after the frames (space a mapped journal reserved, or blocks the disk never wrote
  // after a power loss) are not a torn frame; garbage after the zeros is.
  Bytes zeros = whole;
  zeros.resize(whole.size() + 700, 0);
  overwrite(zeros);
  auto read = AuditJournal::read(file(), journal_key()).value();
  EXPECT_FALSE(read.torn);
  EXPECT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.intact_bytes, whole.size());
  zeros.push_back(0x11);
  overwrite(zeros);
  read = AuditJournal::read(file(), journal_key()).value();
  EXPECT_TRUE(read.torn);
  EXPECT_EQ(read.records.size(), 3u);
}

TEST_F(AuditJournalTest, ADamagedFrameWithIntactOnesAfterItIsAnIntegrityError) {
  auto journal = create();
  ASSERT_TRUE(journal.append({journal_record(1), journal_record(2), journal_record(3)}).ok());
  const Bytes whole = contents();
  const std::size_t frame = (whole.size() - AuditJournal::kHeaderSize) / 3;
  // A byte of the second record's ciphertext, then its length field.
  for (std::size_t at :
       {AuditJournal::kHeaderSize + frame + 60, AuditJournal::kHeaderSize + frame + 2}) {
    Bytes damaged = whole;
    damaged[at] ^= 0x01;
    overwrite(damaged);
    auto read = AuditJournal::read(file(), journal_key());
    ASSERT_FALSE(read.ok()) << at;
    EXPECT_EQ(read.error().code, ErrorCode::kIntegrity);
    EXPECT_NE(read.error().message.find("intact records follow"), std::string::npos)
        << read.error().message;
  }
}

TEST_F(AuditJournalTest, ReorderedFramesAreAnIntegrityError) {
  auto journal = create();
  ASSERT_TRUE(journal.append({journal_record(1), journal_record(2), journal_record(3)}).ok());
  const Bytes whole = contents();
  const std::size_t frame = (whole.size() - AuditJournal::kHeaderSize) / 3;
  Bytes swapped(whole.begin(), whole.begin() + AuditJournal::kHeaderSize);
  const auto at = [&](std::size_t i) {
    return whole.begin() + static_cast<std::ptrdiff_t>(AuditJournal::kHeaderSize + i * frame);
  };
  // Records 2, 1, 3: the third is intact where the second cannot be.
  swapped.insert(swapped.end(), at(1), at(2));
  swapped.insert(swapped.end(), at(0), at(1));
  swapped.insert(swapped.end(), at(2), at(3));
  overwrite(swapped);
  auto read = AuditJournal::read(file(), journal_key());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kIntegrity);
}

TEST_F(AuditJournalTest, AnotherKeyOrAnEditedHeaderIsAnIntegrityError) {
  auto journal = create();
  ASSERT_TRUE(journal.append({journal_record(1)}).ok());
  auto wrong = AuditJournal::read(file(), SecretBytes(Bytes(32, 0x55)));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kIntegrity);
  Bytes edited = contents();
  edited[20] ^= 0x80;  // the salt
  overwrite(edited);
  auto read = AuditJournal::read(file(), journal_key());
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kIntegrity);
  overwrite(Bytes(10, 0));
  EXPECT_EQ(AuditJournal::read(file(), journal_key()).error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(AuditJournal::read(dir_.path() / "none", journal_key()).error().code,
            ErrorCode::kNotFound);
}

TEST_F(AuditJournalTest, AFailedWriteFailsTheAppendAndIsUndone) {
  auto journal = create();
  ASSERT_TRUE(journal.append({journal_record(1)}).ok());
  const std::uint64_t before = journal.size();
  {
    test::FileSizeLimit limit(before + 100);  // the next frame does not fit
    auto r = journal.append({journal_record(2), journal_record(3)});
    ASSERT_FALSE(r.ok());
  }
  EXPECT_EQ(journal.size(), before);
  EXPECT_EQ(contents().size(), before);
  EXPECT_FALSE(journal.broken());
  ASSERT_TRUE(journal.append({journal_record(2)}).ok());
  auto read = AuditJournal::read(file(), journal_key()).value();
  ASSERT_EQ(read.records.size(), 2u);
  EXPECT_EQ(read.records[1], journal_record(2));
}

TEST_F(AuditJournalTest, AMappedJournalEndsInReservedZerosAndReadsBack) {
  if (!mappable())
    GTEST_SKIP() << "this file system keeps pwrite";
  auto journal = create(AuditJournal::Writes::kMappedWhereSafe);
  AuditRecord big = journal_record(2);
  big.instances = {std::string(5000, '9')};
  ASSERT_TRUE(journal.append({journal_record(1)}).ok());
  ASSERT_TRUE(journal.append({big, journal_record(3)}).ok());
  ASSERT_TRUE(journal.sync().ok());
  const Bytes bytes = contents();
  ASSERT_EQ(bytes.size(), MappedAppendArea::kChunk);  // reserved ahead
  ASSERT_LT(journal.size(), bytes.size());
  EXPECT_TRUE(std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(journal.size()), bytes.end(),
                          [](std::uint8_t b) { return b == 0; }));
  const std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(text.find("ae:CT1"), std::string::npos);
  EXPECT_EQ(text.find("1.2.3.4.5"), std::string::npos);
  auto read = AuditJournal::read(file(), journal_key()).value();
  EXPECT_FALSE(read.torn);
  EXPECT_EQ(read.intact_bytes, journal.size());
  ASSERT_EQ(read.records.size(), 3u);
  EXPECT_EQ(read.records[1], big);
  // A frame cut short before the zeros (a crash in the middle of the copy) is torn.
  Bytes cut = bytes;
  std::fill(cut.begin() + static_cast<std::ptrdiff_t>(journal.size()) - 17,
            cut.begin() + static_cast<std::ptrdiff_t>(journal.size()), std::uint8_t{0});
  overwrite(cut);
  read = AuditJournal::read(file(), journal_key()).value();
  EXPECT_TRUE(read.torn);
  EXPECT_EQ(read.records.size(), 2u);
}

TEST_F(AuditJournalTest, AMappedJournalThatCannotReserveFailsTheAppendWithNothingWritten) {
  if (!mappable())
    GTEST_SKIP() << "this file system keeps pwrite";
  auto journal = create(AuditJournal::Writes::kMappedWhereSafe);
  ASSERT_TRUE(journal.append({journal_record(1)}).ok());
  std::uint64_t appended = 1;
  std::uint64_t before = 0;
  {
    test::FileSizeLimit limit(MappedAppendArea::kChunk);  // no second chunk
    for (;;) {
      before = journal.size();
      if (!journal.append({journal_record(appended + 1), journal_record(appended + 2)}).ok())
        break;
      appended += 2;
      ASSERT_LT(appended, 100'000u) << "the size limit never stopped an append";
    }
  }
  EXPECT_EQ(journal.size(), before);
  auto read = AuditJournal::read(file(), journal_key()).value();
  EXPECT_FALSE(read.torn);  // nothing of the refused batch reached the file
  ASSERT_EQ(read.records.size(), appended);
  // Once the disk takes it, the next append goes into a new chunk.
  ASSERT_TRUE(journal.append({journal_record(appended + 1)}).ok());
  read = AuditJournal::read(file(), journal_key()).value();
  ASSERT_EQ(read.records.size(), appended + 1);
  EXPECT_EQ(read.records.back(), journal_record(appended + 1));
}

}  // namespace
}  // namespace arca::store
