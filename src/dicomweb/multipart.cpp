#include "dicomweb/multipart.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace arca::dicomweb {
namespace {

constexpr std::size_t kChunk = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits at ';' outside double quotes.
std::vector<std::string_view> split_params(std::string_view v) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '"')
      quoted = !quoted;
    else if (v[i] == ';' && !quoted) {
      out.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(v.substr(start));
  return out;
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"')
    return std::string(v);
  std::string out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size())
      ++i;
    out += v[i];
  }
  return out;
}

// A field of a part's header block (lines separated by CRLF); empty when absent.
std::string part_header(std::string_view headers, std::string_view name) {
  std::size_t pos = 0;
  while (pos < headers.size()) {
    std::size_t end = headers.find("\r\n", pos);
    if (end == std::string_view::npos)
      end = headers.size();
    std::string_view line = headers.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && lower(trim(line.substr(0, colon))) == name)
      return std::string(trim(line.substr(colon + 1)));
    pos = end + 2;
  }
  return {};
}

}  // namespace

std::optional<std::string_view> MediaType::param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name)
      return v;
  }
  return std::nullopt;
}

MediaType parse_media_type(std::string_view value) {
  MediaType out;
  auto pieces = split_params(value);
  out.type = lower(trim(pieces.front()));
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    std::size_t eq = pieces[i].find('=');
    if (eq == std::string_view::npos)
      continue;
    out.params.emplace_back(lower(trim(pieces[i].substr(0, eq))),
                            unquote(pieces[i].substr(eq + 1)));
  }
  return out;
}

MultipartReader::MultipartReader(ByteSource& body, std::string_view boundary,
                                 std::size_t max_part_bytes)
    : body_(body), delimiter_("\r\n--" + std::string(boundary)), max_part_bytes_(max_part_bytes) {}

Result<bool> MultipartReader::fill() {
  if (eof_)
    return false;
  if (storage_.size() < size_ + kChunk)
    storage_.resize(std::max(size_ + kChunk, storage_.size() * 2));
  auto* data = reinterpret_cast<std::uint8_t*>(storage_.data() + size_);
  std::size_t n = ARCA_TRY(body_.read(MutableByteView(data, kChunk)));
  size_ += n;
  eof_ = n == 0;
  return n > 0;
}

void MultipartReader::consume(std::size_t n) {
  std::memmove(storage_.data(), storage_.data() + n, size_ - n);
  size_ -= n;
}

// Position of needle at or after `from`, reading more of the body as needed; npos at its end.
Result<std::size_t> MultipartReader::find(std::string_view needle, std::size_t from) {
  std::size_t scanned = from;
  for (;;) {
    std::size_t pos = buffered().find(needle, scanned);
    if (pos != std::string_view::npos)
      return pos;
    if (size_ >= needle.size())
      scanned = std::max(scanned, size_ - needle.size() + 1);
    if (size_ > max_part_bytes_ + delimiter_.size() + 16 * 1024)
      return make_error(ErrorCode::kTooLarge, "multipart part exceeds the size limit");
    if (!ARCA_TRY(fill()))
      return std::string_view::npos;
  }
}

// The first delimiter may open the body without the leading CRLF.
Result<void> MultipartReader::skip_preamble() {
  storage_.assign("\r\n");  // nothing read yet
  size_ = storage_.size();
  std::size_t pos = ARCA_TRY(find(delimiter_, 0));
  if (pos == std::string::npos)
    return make_error(ErrorCode::kInvalidArgument, "multipart body has no boundary delimiter");
  consume(pos);
  return ok();
}

Result<std::optional<Part>> MultipartReader::next() {
  auto view = ARCA_TRY(next_view());
  if (!view)
    return std::optional<Part>();
  return std::optional<Part>(Part{std::move(view->content_type), std::move(view->content_location),
                                  Bytes(view->body.begin(), view->body.end())});
}

Result<std::optional<MultipartReader::PartView>> MultipartReader::next_view() {
  if (done_)
    return std::optional<PartView>();
  if (pending_consume_ > 0) {  // the previous part's bytes, kept until now for its view
    consume(pending_consume_);
    pending_consume_ = 0;
  }
  if (!started_) {
    ARCA_TRY(skip_preamble());
    started_ = true;
  }
  // The buffer starts with the delimiter; then "--" (close) or transport padding and CRLF.
  while (size_ < delimiter_.size() + 2 && ARCA_TRY(fill())) {
  }
  if (buffered().substr(delimiter_.size(), 2) == "--") {
    done_ = true;
    return std::optional<PartView>();
  }
  std::size_t line_end = ARCA_TRY(find("\r\n", delimiter_.size()));
  std::size_t headers_end =
      line_end == std::string::npos ? line_end : ARCA_TRY(find("\r\n\r\n", line_end));
  if (headers_end == std::string::npos)
    return make_error(ErrorCode::kInvalidArgument, "multipart body ends inside part headers");
  PartView part;
  const std::string_view headers =
      buffered().substr(line_end + 2, headers_end + 2 - (line_end + 2));
  part.content_type = part_header(headers, "content-type");
  part.content_location = part_header(headers, "content-location");
  std::size_t body_start = headers_end + 4;
  std::size_t body_end = ARCA_TRY(find(delimiter_, body_start));
  if (body_end == std::string::npos)
    return make_error(ErrorCode::kInvalidArgument, "multipart body ends inside a part");
  if (body_end - body_start > max_part_bytes_)
    return make_error(ErrorCode::kTooLarge, "multipart part exceeds the size limit");
  const auto* data = reinterpret_cast<const std::uint8_t*>(storage_.data());
  part.body = ByteView(data + body_start, body_end - body_start);
  pending_consume_ = body_end;
  return std::optional<PartView>(std::move(part));
}

MultipartSource::MultipartSource(std::string boundary, std::size_t count, Opener open)
    : boundary_(std::move(boundary)), count_(count), open_(std::move(open)) {}

Result<std::size_t> MultipartSource::read(MutableByteView out) {
  for (;;) {
    if (!pending_.empty()) {
      std::size_t n = std::min(pending_.size(), out.size());
      std::memcpy(out.data(), pending_.data(), n);
      pending_.erase(0, n);
      return n;
    }
    if (current_) {
      std::size_t n = ARCA_TRY(current_->read(out));
      if (n > 0)
        return n;
      current_.reset();
      pending_ = "\r\n";
      continue;
    }
    if (finished_)
      return std::size_t{0};
    if (next_ == count_) {
      pending_ = "--" + boundary_ + "--\r\n";
      finished_ = true;
      continue;
    }
    PartSource part = ARCA_TRY(open_(next_++));
    pending_ = "--" + boundary_ + "\r\nContent-Type: " + part.content_type + "\r\n\r\n";
    current_ = std::move(part.body);
  }
}

std::uint64_t multipart_length(std::string_view boundary,
                               const std::vector<std::pair<std::string, std::uint64_t>>& parts) {
  // As MultipartSource::read writes them: "--" b CRLF "Content-Type: " t CRLF CRLF body CRLF
  // for each part, then "--" b "--" CRLF.
  std::uint64_t total = 2 + boundary.size() + 2 + 2;
  for (const auto& [type, size] : parts)
    total += 2 + boundary.size() + 2 + 14 + type.size() + 4 + size + 2;
  return total;
}

std::string make_boundary(ByteView random16) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "arca-";
  for (std::uint8_t b : random16) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace arca::dicomweb
