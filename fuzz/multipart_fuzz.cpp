// Fuzz target: STOW-RS request bodies. The first line of the input is the Content-Type header
// value (media type parameters), the rest the body, read in small chunks by the multipart
// reader with a small part limit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "dicomweb/multipart.h"

namespace {

class ChunkSource final : public arca::ByteSource {
 public:
  explicit ChunkSource(std::string_view data) : data_(data) {}
  arca::Result<std::size_t> read(arca::MutableByteView out) override {
    std::size_t n = std::min({out.size(), data_.size() - pos_, std::size_t{7}});
    if (n > 0)
      std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t eol = input.find('\n');
  std::string_view header = input.substr(0, eol);
  std::string_view body =
      eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  arca::dicomweb::MediaType type = arca::dicomweb::parse_media_type(header);
  std::string_view boundary = type.param("boundary").value_or("b");
  if (boundary.empty())
    return 0;
  ChunkSource source(body);
  arca::dicomweb::MultipartReader reader(source, boundary, 4096);
  for (int parts = 0; parts < 1000; ++parts) {
    auto part = reader.next();
    if (!part.ok() || !*part)
      break;
  }
  return 0;
}
