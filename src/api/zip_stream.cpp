#include "api/zip_stream.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace arca::api {
namespace {

constexpr std::uint32_t kMax32 = 0xffffffffu;
constexpr std::uint16_t kFlags = 0x0008 | 0x0800;  // data descriptor, UTF-8 names
constexpr std::uint16_t kVersion20 = 20;           // stored entries, directories
constexpr std::uint16_t kVersion45 = 45;           // ZIP64
constexpr std::uint16_t kMadeByUnix = 3 << 8;
constexpr std::uint32_t kRegularFile = 0100644u << 16;  // external attributes: -rw-r--r--

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  Writer& u16(std::uint16_t v) { return put(v, 2); }
  Writer& u32(std::uint32_t v) { return put(v, 4); }
  Writer& u64(std::uint64_t v) { return put(v, 8); }
  Writer& text(const std::string& s) {
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }

 private:
  Writer& put(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes& out_;
};

struct DosTime {
  std::uint16_t time = 0;
  std::uint16_t date = (1 << 5) | 1;  // 1980-01-01
};

DosTime dos_time(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (ms <= 0 || gmtime_r(&t, &tm) == nullptr || tm.tm_year < 80 || tm.tm_year > 207)
    return {};
  DosTime d;
  d.time = static_cast<std::uint16_t>(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
  d.date = static_cast<std::uint16_t>((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
  return d;
}

std::uint32_t low32(std::uint64_t v) {
  return v >= kMax32 ? kMax32 : static_cast<std::uint32_t>(v);
}

}  // namespace

ZipStream::ZipStream(std::vector<ZipEntry> entries, ZipOpener open, Zip64 zip64)
    : entries_(std::move(entries)),
      open_(std::move(open)),
      force_zip64_(zip64 == Zip64::kAlways),
      crcs_(entries_.size(), 0) {
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    offsets_.push_back(at);
    at += header_size(i) + entries_[i].size + descriptor_size(i);
  }
  directory_offset_ = at;
  size_ = at + central_directory().size();
  if (entries_.empty())
    step_ = Step::kEnd;
}

ZipStream::~ZipStream() = default;

bool ZipStream::entry_zip64(std::size_t i) const {
  return force_zip64_ || entries_[i].size >= kMax32;
}

std::uint64_t ZipStream::header_size(std::size_t i) const {
  return 30 + entries_[i].name.size() + (entry_zip64(i) ? 20 : 0);
}

std::uint64_t ZipStream::descriptor_size(std::size_t i) const {
  return entry_zip64(i) ? 24 : 16;
}

Bytes ZipStream::local_header(std::size_t i) const {
  const ZipEntry& e = entries_[i];
  const bool z64 = entry_zip64(i);
  DosTime when = dos_time(e.modified_ms);
  Bytes out;
  Writer w(out);
  w.u32(0x04034b50).u16(z64 ? kVersion45 : kVersion20).u16(kFlags).u16(0);
  w.u16(when.time).u16(when.date);
  // CRC and sizes follow the data (flag bit 3); ZIP64 entries say so with 0xffffffff sizes and
  // an extra field whose sizes are zero here as well.
  w.u32(0).u32(z64 ? kMax32 : 0).u32(z64 ? kMax32 : 0);
  w.u16(static_cast<std::uint16_t>(e.name.size())).u16(z64 ? 20 : 0).text(e.name);
  if (z64)
    w.u16(0x0001).u16(16).u64(0).u64(0);
  return out;
}

// The central directory and the end records; the CRCs are final once every entry was read,
// the layout (and so the length) is fixed from the start.
Bytes ZipStream::central_directory() const {
  Bytes out;
  Writer w(out);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const ZipEntry& e = entries_[i];
    const bool z64 = entry_zip64(i);
    const bool far = force_zip64_ || offsets_[i] >= kMax32;
    const std::uint16_t extra =
        static_cast<std::uint16_t>((z64 || far) ? 4 + (z64 ? 16 : 0) + (far ? 8 : 0) : 0);
    DosTime when = dos_time(e.modified_ms);
    const std::uint16_t version = (z64 || far) ? kVersion45 : kVersion20;
    w.u32(0x02014b50).u16(kMadeByUnix | version).u16(version).u16(kFlags).u16(0);
    w.u16(when.time).u16(when.date).u32(crcs_[i]);
    w.u32(z64 ? kMax32 : static_cast<std::uint32_t>(e.size));
    w.u32(z64 ? kMax32 : static_cast<std::uint32_t>(e.size));
    w.u16(static_cast<std::uint16_t>(e.name.size())).u16(extra).u16(0).u16(0).u16(0);
    w.u32(kRegularFile).u32(far ? kMax32 : static_cast<std::uint32_t>(offsets_[i]));
    w.text(e.name);
    if (extra > 0) {
      w.u16(0x0001).u16(static_cast<std::uint16_t>(extra - 4));
      if (z64)
        w.u64(e.size).u64(e.size);
      if (far)
        w.u64(offsets_[i]);
    }
  }
  const std::uint64_t directory_size = out.size();
  const std::uint64_t count = entries_.size();
  const bool z64_end =
      force_zip64_ || count >= 0xffff || directory_offset_ >= kMax32 || directory_size >= kMax32;
  if (z64_end) {
    const std::uint64_t end_offset = directory_offset_ + directory_size;
    w.u32(0x06064b50).u64(44).u16(kMadeByUnix | kVersion45).u16(kVersion45).u32(0).u32(0);
    w.u64(count).u64(count).u64(directory_size).u64(directory_offset_);
    w.u32(0x07064b50).u32(0).u64(end_offset).u32(1);
  }
  const auto count16 = static_cast<std::uint16_t>(z64_end ? 0xffff : count);
  w.u32(0x06054b50).u16(0).u16(0).u16(count16).u16(count16);
  w.u32(z64_end ? kMax32 : low32(directory_size));
  w.u32(z64_end ? kMax32 : low32(directory_offset_)).u16(0);
  return out;
}

Result<std::size_t> ZipStream::read_data(MutableByteView out) {
  const ZipEntry& e = entries_[current_];
  std::size_t n = ARCA_TRY(source_->read(out));
  if (n > 0) {
    read_of_entry_ += n;
    if (read_of_entry_ > e.size)
      return make_error(ErrorCode::kIntegrity, "a zip entry is longer than declared");
    for (std::size_t done = 0; done < n;) {
      auto chunk = static_cast<uInt>(std::min<std::size_t>(n - done, 1u << 30));
      crc_ = static_cast<std::uint32_t>(crc32(crc_, out.data() + done, chunk));
      done += chunk;
    }
    return n;
  }
  if (read_of_entry_ != e.size)
    return make_error(ErrorCode::kIntegrity, "a zip entry is shorter than declared");
  crcs_[current_] = crc_;
  pending_.clear();
  pending_pos_ = 0;
  Writer w(pending_);
  w.u32(0x08074b50).u32(crc_);
  if (entry_zip64(current_))
    w.u64(e.size).u64(e.size);
  else
    w.u32(static_cast<std::uint32_t>(e.size)).u32(static_cast<std::uint32_t>(e.size));
  source_.reset();
  ++current_;
  step_ = current_ < entries_.size() ? Step::kLocalHeader : Step::kEnd;
  return std::size_t{0};
}

Result<std::size_t> ZipStream::read(MutableByteView out) {
  std::size_t written = 0;
  while (written < out.size()) {
    if (pending_pos_ < pending_.size()) {
      std::size_t n = std::min(out.size() - written, pending_.size() - pending_pos_);
      std::memcpy(out.data() + written, pending_.data() + pending_pos_, n);
      pending_pos_ += n;
      written += n;
      continue;
    }
    switch (step_) {
      case Step::kLocalHeader:
        pending_ = local_header(current_);
        pending_pos_ = 0;
        source_ = ARCA_TRY(open_(current_));
        read_of_entry_ = 0;
        crc_ = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
        step_ = Step::kData;
        break;
      case Step::kData: {
        if (written > 0)
          return written;  // hand over the header first; data goes straight into `out`
        std::size_t n = ARCA_TRY(read_data(out));
        if (n > 0)
          return n;
        break;
      }
      case Step::kEnd:
        pending_ = central_directory();
        pending_pos_ = 0;
        step_ = Step::kDone;
        break;
      case Step::kDone:
        return written;
    }
  }
  return written;
}

}  // namespace arca::api
