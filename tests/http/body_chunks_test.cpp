#include "http/body_chunks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "trickle_source.h"

namespace arca::http {
namespace {

using test::TrickleSource;

std::string text(ByteView v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Decodes a chunked body (RFC 9112 §7.1) written as `writes`; fails the test on bad framing.
std::string dechunk(const std::string& wire) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t eol = wire.find("\r\n", pos);
    EXPECT_NE(eol, std::string::npos);
    if (eol == std::string::npos)
      return out;
    std::size_t n = std::stoul(wire.substr(pos, eol - pos), nullptr, 16);
    pos = eol + 2;
    if (n == 0) {
      EXPECT_EQ(wire.substr(pos), "\r\n");
      return out;
    }
    out += wire.substr(pos, n);
    EXPECT_EQ(wire.substr(pos + n, 2), "\r\n");
    pos += n + 2;
  }
}

TEST(BodyChunksTest, FullChunksAreExactlyTheWriteSizeAndDecodeToTheBody) {
  const std::string body = pattern(1'000'003);
  TrickleSource source(body, 100);
  BodyChunks chunks(true, 64 * 1024);
  EXPECT_EQ(chunks.capacity(), 64 * 1024 - 4 - 2 - 2);  // "fff8\r\n" + data + "\r\n"
  std::string wire;
  std::vector<std::size_t> sizes;
  for (ByteView w = chunks.next(source).value(); !w.empty(); w = chunks.next(source).value()) {
    sizes.push_back(w.size());
    wire += text(w);
  }
  wire += text(BodyChunks::last_chunk());
  ASSERT_EQ(sizes.size(), body.size() / chunks.capacity() + 1);
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
    EXPECT_EQ(sizes[i], 64u * 1024) << i;  // every write but the last is full
  EXPECT_EQ(dechunk(wire), body);
}

TEST(BodyChunksTest, ShortAndEmptyBodies) {
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{4096}}) {
    const std::string body = pattern(size);
    TrickleSource source(body, 7);
    BodyChunks chunks(true, 4096);
    std::string wire;
    for (ByteView w = chunks.next(source).value(); !w.empty(); w = chunks.next(source).value())
      wire += text(w);
    wire += text(BodyChunks::last_chunk());
    EXPECT_EQ(dechunk(wire), body) << size;
  }
}

TEST(BodyChunksTest, UnchunkedWritesAreTheBodyInFullBuffers) {
  const std::string body = pattern(300'000);
  TrickleSource source(body, 1000);
  BodyChunks chunks(false, 128 * 1024);
  EXPECT_EQ(chunks.capacity(), 128u * 1024);
  std::string wire;
  std::vector<std::size_t> sizes;
  for (ByteView w = chunks.next(source).value(); !w.empty(); w = chunks.next(source).value()) {
    sizes.push_back(w.size());
    wire += text(w);
  }
  EXPECT_EQ(wire, body);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{128 * 1024, 128 * 1024, 300'000 - 256 * 1024}));
}

TEST(BodyChunksTest, TheDefaultSizeIsWholeTlsRecords) {
  BodyChunks chunks(true);
  EXPECT_EQ((chunks.capacity() + 5 + 2 + 2) % (16 * 1024), 0u);
}

TEST(BodyChunksTest, ASourceErrorIsReturned) {
  class Failing final : public ByteSource {
   public:
    Result<std::size_t> read(MutableByteView) override {
      return make_error(ErrorCode::kIntegrity, "bad segment");
    }
  } failing;
  BodyChunks chunks(true);
  EXPECT_EQ(chunks.next(failing).error().code, ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace arca::http
