#include "http/range.h"

#include <gtest/gtest.h>

#include <string>

namespace arca::http {
namespace {

ByteRange satisfiable(const RangeRequest& r) {
  EXPECT_TRUE(r.has_value());
  EXPECT_TRUE(r && std::holds_alternative<ByteRange>(*r));
  return r && std::holds_alternative<ByteRange>(*r) ? std::get<ByteRange>(*r) : ByteRange{};
}

bool unsatisfiable(const RangeRequest& r) {
  return r && std::holds_alternative<Unsatisfiable>(*r);
}

TEST(ParseRange, FirstLastSuffixAndOpenEnded) {
  ByteRange a = satisfiable(parse_range("bytes=0-99", 1000));
  EXPECT_EQ(a.first, 0u);
  EXPECT_EQ(a.length, 100u);
  ByteRange b = satisfiable(parse_range("bytes=900-", 1000));
  EXPECT_EQ(b.first, 900u);
  EXPECT_EQ(b.length, 100u);
  ByteRange c = satisfiable(parse_range("bytes=-10", 1000));
  EXPECT_EQ(c.first, 990u);
  EXPECT_EQ(c.length, 10u);
  ByteRange d = satisfiable(parse_range("bytes=990-5000", 1000));  // clipped at the end
  EXPECT_EQ(d.first, 990u);
  EXPECT_EQ(d.length, 10u);
  ByteRange e = satisfiable(parse_range("bytes=-5000", 1000));  // suffix longer than the body
  EXPECT_EQ(e.first, 0u);
  EXPECT_EQ(e.length, 1000u);
  ByteRange f = satisfiable(parse_range("Bytes=5-5", 1000));
  EXPECT_EQ(f.first, 5u);
  EXPECT_EQ(f.length, 1u);
}

TEST(ParseRange, UnsatisfiableRanges) {
  EXPECT_TRUE(unsatisfiable(parse_range("bytes=1000-", 1000)));
  EXPECT_TRUE(unsatisfiable(parse_range("bytes=1000-2000", 1000)));
  EXPECT_TRUE(unsatisfiable(parse_range("bytes=-0", 1000)));
  EXPECT_TRUE(unsatisfiable(parse_range("bytes=0-", 0)));
}

TEST(ParseRange, IgnoredRangesServeTheWholeBody) {
  for (std::string_view v :
       {"", "bytes", "bytes=", "items=0-1", "bytes=0-1,5-6", "bytes=5-1", "bytes=a-b", "bytes=-",
        "bytes=1", "bytes=-1x", "bytes=99999999999999999999999-"}) {
    EXPECT_FALSE(parse_range(v, 1000).has_value()) << v;
  }
}

Request make_request(std::vector<std::pair<std::string, std::string>> headers) {
  RequestInit init;
  init.target = "/x";
  for (auto& [n, v] : headers)
    init.headers.add(n, v);
  return std::move(Request::create(std::move(init))).take();
}

// A body of 1000 bytes i % 251 that records what was opened.
struct Recorded {
  Bytes data;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> opened;
  RangedBody body() {
    return {
        data.size(),
        [this](std::uint64_t offset, std::uint64_t length) -> Result<std::unique_ptr<ByteSource>> {
          opened.emplace_back(offset, length);
          return std::unique_ptr<ByteSource>(std::make_unique<MemorySource>(ByteView(data).subspan(
              static_cast<std::size_t>(offset), static_cast<std::size_t>(length))));
        }};
  }
};

Recorded make_recorded() {
  Recorded r;
  for (int i = 0; i < 1000; ++i)
    r.data.push_back(static_cast<std::uint8_t>(i % 251));
  return r;
}

Bytes drain(Response& r) {
  return read_all(*r.stream_body().source, 1 << 20).take();
}

TEST(RangedResponse, WholeBodyWithoutRange) {
  Recorded rec = make_recorded();
  Response r = ranged_response(make_request({}), rec.body(), "application/dicom").take();
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.headers().get("Accept-Ranges"), "bytes");
  EXPECT_FALSE(r.headers().contains("Content-Range"));
  EXPECT_EQ(r.stream_body().length, 1000u);
  EXPECT_EQ(drain(r), rec.data);
}

TEST(RangedResponse, PartialContentOpensOnlyTheRange) {
  Recorded rec = make_recorded();
  Response r =
      ranged_response(make_request({{"Range", "bytes=500-509"}}), rec.body(), "x/y").take();
  EXPECT_EQ(r.status(), 206);
  EXPECT_EQ(r.headers().get("Content-Range"), "bytes 500-509/1000");
  EXPECT_EQ(r.headers().get("Content-Type"), "x/y");
  EXPECT_EQ(r.stream_body().length, 10u);
  EXPECT_EQ(drain(r), Bytes(rec.data.begin() + 500, rec.data.begin() + 510));
  ASSERT_EQ(rec.opened.size(), 1u);
  EXPECT_EQ(rec.opened[0], (std::pair<std::uint64_t, std::uint64_t>{500, 10}));
}

TEST(RangedResponse, UnsatisfiableIs416WithTheSize) {
  Recorded rec = make_recorded();
  Response r = ranged_response(make_request({{"Range", "bytes=1000-"}}), rec.body(), "x/y").take();
  EXPECT_EQ(r.status(), 416);
  EXPECT_EQ(r.headers().get("Content-Range"), "bytes */1000");
  EXPECT_TRUE(rec.opened.empty());
}

TEST(RangedResponse, IfRangeAndMultipleRangesGetTheWholeBody) {
  Recorded rec = make_recorded();
  Response a = ranged_response(make_request({{"Range", "bytes=0-1"}, {"If-Range", "\"x\""}}),
                               rec.body(), "x/y")
                   .take();
  EXPECT_EQ(a.status(), 200);
  Response b =
      ranged_response(make_request({{"Range", "bytes=0-1,4-5"}}), rec.body(), "x/y").take();
  EXPECT_EQ(b.status(), 200);
  EXPECT_EQ(b.stream_body().length, 1000u);
}

}  // namespace
}  // namespace arca::http
