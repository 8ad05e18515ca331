// ZipStream, read back by an independent implementation (libarchive's seekable zip reader, which
// checks every CRC and size against the central directory), plain and with ZIP64 records, read
// in odd-sized steps; sources that lie about their size or fail; and the records of an entry
// past 4 GiB (streamed through without keeping it: only its headers are checked).
#include "api/zip_stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <clocale>
#include <cstring>
#include <map>
#include <random>

namespace arca::api {
namespace {

Bytes random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out)
    b = static_cast<std::uint8_t>(rng());
  return out;
}

// Owns its bytes (MemorySource only borrows).
class OwnedSource final : public ByteSource {
 public:
  explicit OwnedSource(Bytes bytes) : bytes_(std::move(bytes)), source_(bytes_) {}
  Result<std::size_t> read(MutableByteView out) override { return source_.read(out); }

 private:
  Bytes bytes_;
  MemorySource source_;
};

struct Fixture {
  std::vector<ZipEntry> entries;
  std::vector<Bytes> contents;
  std::vector<std::size_t> opened;

  void add(std::string name, Bytes bytes) {
    entries.push_back({std::move(name), bytes.size(), 1764300000000});  // 2025-11-28
    contents.push_back(std::move(bytes));
  }
  ZipOpener opener() {
    return [this](std::size_t i) -> Result<std::unique_ptr<ByteSource>> {
      opened.push_back(i);
      return std::unique_ptr<ByteSource>(std::make_unique<OwnedSource>(contents[i]));
    };
  }
};

Result<Bytes> read_in_steps(ZipStream& zip, std::size_t step) {
  Bytes out;
  Bytes buffer(step);
  for (;;) {
    std::size_t n = ARCA_TRY(zip.read(buffer));
    if (n == 0)
      return out;
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

// name -> bytes, as libarchive reads the archive (its seekable reader uses the central
// directory and verifies each entry's CRC-32).
std::map<std::string, Bytes> unzip(const Bytes& zip) {
  std::map<std::string, Bytes> out;
  std::setlocale(LC_CTYPE, "C.UTF-8");  // entry names are UTF-8
  archive* a = archive_read_new();
  archive_read_support_format_zip_seekable(a);
  EXPECT_EQ(archive_read_open_memory(a, zip.data(), zip.size()), ARCHIVE_OK)
      << archive_error_string(a);
  archive_entry* entry = nullptr;
  int rc = 0;
  while ((rc = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
    Bytes data(static_cast<std::size_t>(archive_entry_size(entry)));
    la_ssize_t got = data.empty() ? 0 : archive_read_data(a, data.data(), data.size());
    EXPECT_EQ(got, static_cast<la_ssize_t>(data.size())) << archive_error_string(a);
    Bytes rest(16);
    EXPECT_EQ(archive_read_data(a, rest.data(), rest.size()), 0) << archive_error_string(a);
    out[archive_entry_pathname(entry)] = std::move(data);
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a);
  archive_read_free(a);
  return out;
}

void expect_round_trip(Zip64 zip64) {
  Fixture f;
  f.add("STUDY/SERIES-001/IMAGE-0001.dcm", random_bytes(200'000, 1));
  f.add("STUDY/SERIES-001/IMAGE-0002.dcm", {});
  f.add("STUDY/SERIES-002/IMAGE-0001.dcm", random_bytes(70'001, 2));
  f.add("STUDY/Ünïcode name.txt", random_bytes(5, 3));
  for (std::size_t step : {std::size_t{7}, std::size_t{65536}}) {
    f.opened.clear();
    ZipStream zip(f.entries, f.opener(), zip64);
    auto bytes = read_in_steps(zip, step);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    EXPECT_EQ(bytes->size(), zip.size()) << "the declared length is exact";
    EXPECT_EQ(f.opened, (std::vector<std::size_t>{0, 1, 2, 3}))
        << "each entry opened once, in order";
    auto files = unzip(*bytes);
    ASSERT_EQ(files.size(), f.entries.size());
    for (std::size_t i = 0; i < f.entries.size(); ++i)
      EXPECT_EQ(files[f.entries[i].name], f.contents[i]) << f.entries[i].name;
    EXPECT_TRUE(zip.read(*bytes).ok() && zip.read(*bytes).value() == 0) << "stays at its end";
  }
}

TEST(ZipStreamTest, LibarchiveReadsBackEveryEntry) {
  expect_round_trip(Zip64::kWhenNeeded);
}

TEST(ZipStreamTest, Zip64RecordsReadBackToo) {
  expect_round_trip(Zip64::kAlways);
}

TEST(ZipStreamTest, AnEmptyArchiveIsJustTheEndRecord) {
  ZipStream zip({}, [](std::size_t) -> Result<std::unique_ptr<ByteSource>> {
    return make_error(ErrorCode::kInternal, "never called");
  });
  auto bytes = read_in_steps(zip, 100);
  ASSERT_TRUE(bytes.ok());
  Bytes empty(22, 0);  // what Info-ZIP and Python's zipfile write for no entries
  empty[0] = 'P';
  empty[1] = 'K';
  empty[2] = 5;
  empty[3] = 6;
  EXPECT_EQ(*bytes, empty);
  EXPECT_EQ(zip.size(), 22u);
}

TEST(ZipStreamTest, ASourceShorterOrLongerThanDeclaredFailsTheRead) {
  for (std::size_t real : {std::size_t{99}, std::size_t{101}}) {
    Fixture f;
    f.add("a.dcm", random_bytes(real, 4));
    f.entries[0].size = 100;
    ZipStream zip(f.entries, f.opener());
    auto bytes = read_in_steps(zip, 4096);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.error().code, ErrorCode::kIntegrity);
  }
}

class FailingSource final : public ByteSource {
 public:
  Result<std::size_t> read(MutableByteView) override {
    return make_error(ErrorCode::kIntegrity, "stored object does not match its index digest");
  }
};

TEST(ZipStreamTest, ASourceErrorStopsTheArchive) {
  ZipStream zip({{"a.dcm", 10, 0}}, [](std::size_t) -> Result<std::unique_ptr<ByteSource>> {
    return std::unique_ptr<ByteSource>(std::make_unique<FailingSource>());
  });
  auto bytes = read_in_steps(zip, 4096);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().code, ErrorCode::kIntegrity);
}

// Yields `size` zero bytes.
class Zeros final : public ByteSource {
 public:
  explicit Zeros(std::uint64_t size) : left_(size) {}
  Result<std::size_t> read(MutableByteView out) override {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left_));
    std::memset(out.data(), 0, n);
    left_ -= n;
    return n;
  }

 private:
  std::uint64_t left_;
};

std::uint64_t le(const Bytes& b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = v << 8 | b.at(at + static_cast<std::size_t>(i));
  return v;
}

TEST(ZipStreamTest, AnEntryPastFourGibibytesGetsZip64Records) {
  const std::uint64_t big = (std::uint64_t{1} << 32) + 3;
  ZipStream zip({{"big.dcm", big, 0}, {"small.dcm", 1, 0}},
                [&](std::size_t i) -> Result<std::unique_ptr<ByteSource>> {
                  return std::unique_ptr<ByteSource>(std::make_unique<Zeros>(i == 0 ? big : 1));
                });
  Bytes head, tail, buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    auto n = zip.read(buffer);
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    if (*n == 0)
      break;
    if (head.size() < 64)
      head.insert(head.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    tail.insert(tail.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    if (tail.size() > 4096)
      tail.erase(tail.begin(), tail.end() - 4096);
    total += *n;
  }
  EXPECT_EQ(total, zip.size());
  // Local header: ZIP64 sizes marker and its extra field.
  EXPECT_EQ(le(head, 0, 4), 0x04034b50u);
  EXPECT_EQ(le(head, 18, 4), 0xffffffffu);
  EXPECT_EQ(le(head, 30 + 7, 2), 0x0001u);
  // CRC-32 of the zeros, as zlib computes it.
  Bytes zeros(1 << 20, 0);
  uLong crc = crc32(0, nullptr, 0);
  for (std::uint64_t left = big; left > 0;) {
    auto n = static_cast<uInt>(std::min<std::uint64_t>(left, zeros.size()));
    crc = crc32(crc, zeros.data(), n);
    left -= n;
  }
  // From the end: EOCD (22), ZIP64 locator (20), ZIP64 end record (56), central directory.
  const std::size_t eocd = tail.size() - 22;
  EXPECT_EQ(le(tail, eocd, 4), 0x06054b50u);
  EXPECT_EQ(le(tail, eocd - 20, 4), 0x07064b50u);
  const std::size_t end64 = eocd - 20 - 56;
  EXPECT_EQ(le(tail, end64, 4), 0x06064b50u);
  const std::uint64_t directory_size = le(tail, end64 + 40, 8);
  const std::uint64_t directory_offset = le(tail, end64 + 48, 8);
  EXPECT_EQ(directory_offset + directory_size + 56 + 20 + 22, zip.size());
  const std::size_t cd = end64 - static_cast<std::size_t>(directory_size);
  EXPECT_EQ(le(tail, cd, 4), 0x02014b50u);
  EXPECT_EQ(le(tail, cd + 16, 4), crc);
  EXPECT_EQ(le(tail, cd + 24, 4), 0xffffffffu);
  const std::size_t extra = cd + 46 + 7;  // after "big.dcm"
  EXPECT_EQ(le(tail, extra, 2), 0x0001u);
  EXPECT_EQ(le(tail, extra + 4, 8), big);
  EXPECT_EQ(le(tail, extra + 12, 8), big);
  // The second entry starts past 4 GiB: its offset is in a ZIP64 extra field as well.
  const std::size_t second = extra + 4 + 16;
  EXPECT_EQ(le(tail, second, 4), 0x02014b50u);
  EXPECT_EQ(le(tail, second + 42, 4), 0xffffffffu);
  EXPECT_EQ(le(tail, second + 46 + 9 + 4, 8), 30 + 7 + 20 + big + 24);
}

}  // namespace
}  // namespace arca::api
