#include "service/backup_blob_list.h"

#include <charconv>

namespace arca::service {

std::string blob_list_line(const BlobListEntry& e) {
  return e.sha256 + " " + std::to_string(e.size) + " " + e.id.str() + "\n";
}

Result<BlobListReader> BlobListReader::open(const std::filesystem::path& file) {
  return BlobListReader(ARCA_TRY(FileSource::open(file)));
}

Result<std::optional<std::string>> BlobListReader::line() {
  for (;;) {
    std::size_t nl = buffer_.find('\n', pos_);
    if (nl != std::string::npos) {
      std::string out = buffer_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      return std::optional<std::string>(std::move(out));
    }
    if (eof_) {
      if (pos_ < buffer_.size())
        return make_error(ErrorCode::kInvalidArgument, "blobs.list: last line unterminated");
      return std::optional<std::string>();
    }
    buffer_.erase(0, pos_);
    pos_ = 0;
    if (buffer_.size() > 4096)
      return make_error(ErrorCode::kInvalidArgument, "blobs.list: line too long");
    Bytes chunk(64 * 1024);
    std::size_t n = ARCA_TRY(source_.read(chunk));
    if (n == 0)
      eof_ = true;
    buffer_.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
}

Result<std::optional<BlobListEntry>> BlobListReader::next() {
  if (peeked_) {
    std::optional<BlobListEntry> out = std::move(peeked_);
    peeked_.reset();
    return out;
  }
  auto text = ARCA_TRY(line());
  if (!text)
    return std::optional<BlobListEntry>();
  ++line_no_;
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "blobs.list line " + std::to_string(line_no_) + ": " + std::string(why));
  };
  std::string_view s = *text;
  std::size_t a = s.find(' ');
  std::size_t b = a == std::string_view::npos ? a : s.find(' ', a + 1);
  if (b == std::string_view::npos)
    return bad("malformed");
  BlobListEntry e;
  e.sha256 = std::string(s.substr(0, a));
  std::string_view size = s.substr(a + 1, b - a - 1);
  std::string id(s.substr(b + 1));
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), e.size);
  if (!is_lower_hex(e.sha256, 64) || ec != std::errc() || end != size.data() + size.size() ||
      size.empty() || !is_lower_hex(id, 32))
    return bad("malformed");
  if (!last_id_.empty() && id <= last_id_)
    return bad("blob ids out of order");
  last_id_ = id;
  e.id = store::BlobId(std::move(id));
  return std::optional<BlobListEntry>(std::move(e));
}

Result<std::optional<BlobListEntry>> BlobListReader::seek(const store::BlobId& id) {
  for (;;) {
    auto e = ARCA_TRY(next());
    if (!e || e->id.str() >= id.str()) {
      peeked_ = e;
      return e;
    }
  }
}

}  // namespace arca::service
