#include "store/fs/pack_format.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "core/byte_order.h"
#include "core/file.h"

namespace arca::store::pack {

namespace {

constexpr std::string_view kRecordMagic = "ARCAPACK";
constexpr std::string_view kIdxMagic = "PKIX";
constexpr std::uint16_t kVersion = 1;

std::uint32_t crc(const std::uint8_t* p, std::size_t n) {
  return static_cast<std::uint32_t>(::crc32(0L, p, static_cast<uInt>(n)));
}

}  // namespace

std::size_t RawIdHash::operator()(const RawId& id) const {
  // Ids are random 128-bit values: any 8 of their bytes are a good hash.
  std::uint64_t h = 0;
  std::memcpy(&h, id.data(), sizeof h);
  return static_cast<std::size_t>(h);
}

std::optional<RawId> parse_id(const BlobId& id) {
  if (!is_valid_blob_id(id))
    return std::nullopt;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  RawId raw{};
  const std::string& s = id.str();
  for (std::size_t i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<std::uint8_t>(nibble(s[2 * i]) << 4 | nibble(s[2 * i + 1]));
  return raw;
}

BlobId format_id(const RawId& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(32);
  for (std::uint8_t b : id) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return BlobId(std::move(s));
}

std::array<std::uint8_t, kHeaderSize> encode_header(const RecordHeader& h) {
  std::array<std::uint8_t, kHeaderSize> out{};
  std::memcpy(out.data(), kRecordMagic.data(), kRecordMagic.size());
  store_be16(&out[8], kVersion);
  store_be16(&out[10], static_cast<std::uint16_t>(h.state));
  std::copy(h.id.begin(), h.id.end(), &out[16]);
  store_be64(&out[32], h.length);
  store_be64(&out[40], static_cast<std::uint64_t>(h.time_ms));
  store_be32(&out[60], crc(out.data(), 60));
  return out;
}

std::optional<RecordHeader> decode_header(ByteView bytes) {
  if (bytes.size() < kHeaderSize)
    return std::nullopt;
  const std::uint8_t* p = bytes.data();
  if (std::memcmp(p, kRecordMagic.data(), kRecordMagic.size()) != 0 ||
      load_be16(p + 8) != kVersion || load_be32(p + 60) != crc(p, 60)) {
    return std::nullopt;
  }
  std::uint16_t state = load_be16(p + 10);
  if (state < 1 || state > 3)
    return std::nullopt;
  RecordHeader h;
  h.state = static_cast<RecordState>(state);
  std::copy(p + 16, p + 32, h.id.begin());
  h.length = load_be64(p + 32);
  h.time_ms = static_cast<std::int64_t>(load_be64(p + 40));
  return h;
}

std::array<std::uint8_t, kIdxEntrySize> encode_idx(const IdxEntry& e) {
  std::array<std::uint8_t, kIdxEntrySize> out{};
  std::memcpy(out.data(), kIdxMagic.data(), kIdxMagic.size());
  out[4] = static_cast<std::uint8_t>(e.kind);
  std::copy(e.id.begin(), e.id.end(), &out[8]);
  store_be64(&out[24], e.offset);
  store_be64(&out[32], e.length);
  store_be64(&out[40], static_cast<std::uint64_t>(e.time_ms));
  store_be32(&out[52], crc(out.data(), 52));
  return out;
}

std::optional<IdxEntry> decode_idx(ByteView bytes) {
  if (bytes.size() < kIdxEntrySize)
    return std::nullopt;
  const std::uint8_t* p = bytes.data();
  if (std::memcmp(p, kIdxMagic.data(), kIdxMagic.size()) != 0 || load_be32(p + 52) != crc(p, 52))
    return std::nullopt;
  if (p[4] < 1 || p[4] > 3)
    return std::nullopt;
  IdxEntry e;
  e.kind = static_cast<IdxKind>(p[4]);
  std::copy(p + 8, p + 24, e.id.begin());
  e.offset = load_be64(p + 24);
  e.length = load_be64(p + 32);
  e.time_ms = static_cast<std::int64_t>(load_be64(p + 40));
  return e;
}

Result<PackFile> PackFile::open(const std::filesystem::path& path, Open how) {
  const File::Mode mode = how == Open::kExisting          ? File::Mode::kReadWriteExisting
                          : how == Open::kCreateExclusive ? File::Mode::kCreateExclusive
                                                          : File::Mode::kAppend;
  return PackFile(ARCA_TRY(File::open(path, mode)));
}

Result<std::size_t> PackFile::pread_full(std::uint64_t offset, MutableByteView out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    std::size_t n = ARCA_TRY(file_.read_at(offset + done, out.subspan(done)));
    if (n == 0)
      break;
    done += n;
  }
  return done;
}

Result<void> PackFile::pwrite_all(std::uint64_t offset, ByteView data) const {
  return file_.write_at(offset, data);
}

Result<void> PackFile::append(ByteView data) const {
  for (;;) {
    ssize_t n = ::write(file_.fd(), data.data(), data.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno_error(errno, "append pack index");
    if (static_cast<std::size_t>(n) != data.size())
      return make_error(ErrorCode::kIo, "append pack index: short write");
    return ok();
  }
}

Result<std::uint64_t> PackFile::size() const {
  return file_.size();
}

Result<void> PackFile::truncate(std::uint64_t size) const {
  return file_.truncate(size);
}

Result<void> PackFile::datasync() const {
  return file_.sync();
}

void PackFile::start_writeback(std::uint64_t offset, std::uint64_t length) const {
  (void)::sync_file_range(file_.fd(), static_cast<off_t>(offset), static_cast<off_t>(length),
                          SYNC_FILE_RANGE_WRITE);
}

bool PackFile::preallocate(std::uint64_t offset, std::uint64_t length) const {
  return ::fallocate(file_.fd(), FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                     static_cast<off_t>(length)) == 0;
}

void PackFile::release_preallocated() const {
  // Punching holes stops at the end of the file; truncating to the same size frees past it.
  if (auto n = size(); n.ok())
    (void)file_.truncate(*n);
}

Result<void> PackFile::erase(std::uint64_t offset, std::uint64_t length) const {
  const std::uint64_t end = offset + length;
  const std::uint64_t first = std::min(align_up(offset), end);
  const std::uint64_t last = std::max(end & ~(kAlign - 1), first);
  std::uint64_t zero_from = offset;
  std::uint64_t zero_to = end;
  if (last > first) {
    if (::fallocate(file_.fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    static_cast<off_t>(first), static_cast<off_t>(last - first)) == 0) {
      // Only the partial blocks at the edges are left to overwrite.
      static const Bytes kZeros(kAlign, 0);
      ARCA_TRY(pwrite_all(offset, ByteView(kZeros).first(first - offset)));
      return pwrite_all(last, ByteView(kZeros).first(end - last));
    }
    if (errno != EOPNOTSUPP)
      return errno_error(errno, "punch hole in pack");
  }
  // No whole block, or a file system without hole punching: zeros over everything.
  static const Bytes kChunk(std::size_t{1} << 20, 0);
  while (zero_from < zero_to) {
    std::uint64_t n = std::min<std::uint64_t>(kChunk.size(), zero_to - zero_from);
    ARCA_TRY(pwrite_all(zero_from, ByteView(kChunk).first(n)));
    zero_from += n;
  }
  return ok();
}

}  // namespace arca::store::pack
