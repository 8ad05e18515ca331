// multipart/related (RFC 2387) as DICOMweb uses it (PS3.18 §8.6): the media-type parameters of
// a Content-Type, a reader that yields one part at a time from a streaming body, and a
// ByteSource that writes parts, opening each part's body only when its turn comes, so a study
// retrieve streams instance after instance without holding more than one open.
// Thread-safety: readers and sources are used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/stream.h"

namespace arca::dicomweb {

// "multipart/related; type=\"application/dicom\"; boundary=abc" -> type "multipart/related"
// (lower-cased) and parameters with lower-cased names and unquoted values.
struct MediaType {
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;

  std::optional<std::string_view> param(std::string_view name) const;
};
MediaType parse_media_type(std::string_view value);

struct Part {
  std::string content_type;      // empty when the part has none
  std::string content_location;  // empty when the part has none
  Bytes body;
};

// Reads the parts of a multipart body. Each part is held in memory up to max_part_bytes
// (kTooLarge past it); the body is read in chunks, never whole. A body that ends before the
// closing delimiter, or without any delimiter, is kInvalidArgument.
class MultipartReader {
 public:
  MultipartReader(ByteSource& body, std::string_view boundary, std::size_t max_part_bytes);

  // The next part, or nullopt after the last one.
  Result<std::optional<Part>> next();

  // The same without copying the body: `body` views the reader's buffer and is valid until the
  // next call.
  struct PartView {
    std::string content_type;
    std::string content_location;
    ByteView body;
  };
  Result<std::optional<PartView>> next_view();

 private:
  Result<bool> fill();  // false at the end of the body
  Result<std::size_t> find(std::string_view needle, std::size_t from);
  Result<void> skip_preamble();
  std::string_view buffered() const { return {storage_.data(), size_}; }
  void consume(std::size_t n);  // drops the first n buffered bytes

  ByteSource& body_;
  std::string delimiter_;  // "\r\n--" + boundary
  std::size_t max_part_bytes_;
  // The unread bytes are the first size_ of storage_, which only grows (so reading into it
  // does not zero-fill each chunk first).
  std::string storage_;
  std::size_t size_ = 0;
  std::size_t pending_consume_ = 0;  // bytes of the last part's view, dropped by the next call
  bool started_ = false;
  bool done_ = false;
  bool eof_ = false;
};

struct PartSource {
  std::string content_type;
  std::unique_ptr<ByteSource> body;
};

// Writes `count` parts separated by `boundary`; open(i) is called when part i is reached.
class MultipartSource final : public ByteSource {
 public:
  using Opener = std::function<Result<PartSource>(std::size_t)>;
  MultipartSource(std::string boundary, std::size_t count, Opener open);
  Result<std::size_t> read(MutableByteView out) override;

 private:
  std::string boundary_;
  std::size_t count_;
  Opener open_;
  std::size_t next_ = 0;
  std::string pending_;  // framing bytes not yet returned
  std::unique_ptr<ByteSource> current_;
  bool finished_ = false;
};

// The exact length of what a MultipartSource with this boundary writes for parts of these
// content types and body sizes, when every size is known before sending (a study sent as
// stored): the response can then carry a Content-Length instead of chunked coding, which
// costs the client less to read.
std::uint64_t multipart_length(std::string_view boundary,
                               const std::vector<std::pair<std::string, std::uint64_t>>& parts);

// A random boundary-safe token, e.g. for the response's boundary parameter.
std::string make_boundary(ByteView random16);

}  // namespace arca::dicomweb
