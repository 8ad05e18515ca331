#include "dicomweb/multipart.h"

#include <gtest/gtest.h>

#include <string>

#include "trickle_source.h"

namespace arca::dicomweb {
namespace {

using test::TrickleSource;

std::string str(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

std::vector<Part> read_parts(const std::string& body, std::string_view boundary,
                             std::size_t step = 7, std::size_t max = 1 << 20) {
  TrickleSource source(body, step);
  MultipartReader reader(source, boundary, max);
  std::vector<Part> out;
  for (;;) {
    auto part = reader.next();
    EXPECT_TRUE(part.ok()) << part.error().to_string();
    if (!part.ok() || !*part)
      return out;
    out.push_back(std::move(**part));
  }
}

// next_view() hands out each body in place (no copy): the same parts as next(), each view
// intact until the next call, also for bodies larger than one read chunk and buffers that grow.
TEST(MultipartReader, ViewsAreThePartsUntilTheNextCall) {
  const std::vector<std::string> bodies = {"first", std::string(200'000, 'x') + "end", "",
                                           std::string(70'000, 'y'), "last\r\n--not"};
  std::string body = "preamble\r\n";
  for (const std::string& b : bodies)
    body += "--q\r\nContent-Type: application/dicom\r\n\r\n" + b + "\r\n";
  body += "--q--\r\nepilogue";
  for (std::size_t step : {std::size_t{5}, std::size_t{4096}, std::size_t{1} << 20}) {
    TrickleSource source(body, step);
    MultipartReader reader(source, "q", 1 << 20);
    std::size_t i = 0;
    for (;; ++i) {
      auto part = reader.next_view();
      ASSERT_TRUE(part.ok()) << part.error().to_string();
      if (!*part)
        break;
      ASSERT_LT(i, bodies.size());
      EXPECT_EQ((*part)->content_type, "application/dicom");
      EXPECT_EQ(
          std::string(reinterpret_cast<const char*>((*part)->body.data()), (*part)->body.size()),
          bodies[i])
          << "part " << i << ", step " << step;
    }
    EXPECT_EQ(i, bodies.size());
    auto parts = read_parts(body, "q", step);
    ASSERT_EQ(parts.size(), bodies.size());
    for (std::size_t k = 0; k < bodies.size(); ++k)
      EXPECT_EQ(str(parts[k].body), bodies[k]);
  }
}

TEST(MultipartReader, PartHeadersGiveContentTypeAndLocation) {
  std::string body =
      "--b\r\nContent-Type: application/dicom+json\r\n\r\n[]\r\n"
      "--b\r\ncontent-location:  pixels-1 \r\nContent-Type: application/octet-stream\r\n"
      "\r\nxy\r\n--b--\r\n";
  std::vector<Part> parts = read_parts(body, "b");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].content_type, "application/dicom+json");
  EXPECT_EQ(parts[0].content_location, "");
  EXPECT_EQ(parts[1].content_location, "pixels-1");
  EXPECT_EQ(parts[1].content_type, "application/octet-stream");
  EXPECT_EQ(str(parts[1].body), "xy");
}

TEST(MediaType, QuotedAndUnquotedParameters) {
  MediaType a = parse_media_type(R"(Multipart/Related; type="application/dicom"; boundary="a b")");
  EXPECT_EQ(a.type, "multipart/related");
  EXPECT_EQ(a.param("type"), "application/dicom");
  EXPECT_EQ(a.param("boundary"), "a b");
  MediaType b = parse_media_type("multipart/related;type=application/dicom;BOUNDARY=xyz");
  EXPECT_EQ(b.param("type"), "application/dicom");
  EXPECT_EQ(b.param("boundary"), "xyz");
  MediaType c = parse_media_type(
      R"(multipart/related; type="application/octet-stream; transfer-syntax=*"; boundary=q)");
  EXPECT_EQ(c.param("type"), "application/octet-stream; transfer-syntax=*");
  EXPECT_EQ(c.param("boundary"), "q");
  EXPECT_FALSE(c.param("missing").has_value());
}

TEST(MultipartReader, ReadsPartsWithPreambleAndEpilogue) {
  std::string body =
      "preamble\r\n--b0und\r\nContent-Type: application/dicom\r\n\r\nfirst\r\npart\r\n"
      "--b0und\r\ncontent-type:  text/plain \r\nX-Other: 1\r\n\r\n\r\n--b0und--\r\nepilogue";
  for (std::size_t step : {1, 3, 7, 64 * 1024}) {
    auto parts = read_parts(body, "b0und", step);
    ASSERT_EQ(parts.size(), 2U) << step;
    EXPECT_EQ(parts[0].content_type, "application/dicom");
    EXPECT_EQ(str(parts[0].body), "first\r\npart");
    EXPECT_EQ(parts[1].content_type, "text/plain");
    EXPECT_EQ(str(parts[1].body), "");
  }
}

TEST(MultipartReader, BodyStartingWithDelimiterAndBinaryContent) {
  std::string payload("\0\r\n--b0un\r\n-", 12);
  std::string body = "--b0und\r\n\r\n" + payload + "\r\n--b0und--";
  auto parts = read_parts(body, "b0und", 5);
  ASSERT_EQ(parts.size(), 1U);
  EXPECT_EQ(parts[0].content_type, "");
  EXPECT_EQ(str(parts[0].body), payload);
}

TEST(MultipartReader, TruncatedBodyIsAnError) {
  std::string body = "--b\r\nContent-Type: application/dicom\r\n\r\nhalf a part";
  TrickleSource source(body, 4);
  MultipartReader reader(source, "b", 1024);
  auto part = reader.next();
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error().code, ErrorCode::kInvalidArgument);
}

TEST(MultipartReader, NoDelimiterIsAnError) {
  TrickleSource source("just some bytes", 4);
  MultipartReader reader(source, "b", 1024);
  auto part = reader.next();
  ASSERT_FALSE(part.ok());
  EXPECT_EQ(part.error().code, ErrorCode::kInvalidArgument);
}

TEST(MultipartReader, OversizedPartIsTooLargeAfterEarlierParts) {
  std::string body = "--b\r\n\r\nsmall\r\n--b\r\n\r\n" + std::string(5000, 'x') + "\r\n--b--";
  TrickleSource source(body, 100);
  MultipartReader reader(source, "b", 1000);
  auto first = reader.next();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(str((*first)->body), "small");
  auto second = reader.next();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kTooLarge);
}

TEST(MultipartSource, WritesPartsThatTheReaderReadsBack) {
  std::vector<std::string> bodies = {"one", std::string(200000, 'z'), ""};
  std::vector<std::size_t> opened;
  MultipartSource source("bnd", bodies.size(), [&](std::size_t i) -> Result<PartSource> {
    opened.push_back(i);
    return PartSource{
        "application/dicom; transfer-syntax=1.2.840.10008.1.2.1",
        std::make_unique<MemorySource>(
            ByteView(reinterpret_cast<const std::uint8_t*>(bodies[i].data()), bodies[i].size()))};
  });
  auto all = read_all(source, 1 << 22);
  ASSERT_TRUE(all.ok());
  std::string text = str(*all);
  EXPECT_EQ(text.rfind("--bnd\r\nContent-Type: application/dicom; transfer-syntax=", 0), 0U);
  EXPECT_EQ(text.substr(text.size() - 9), "--bnd--\r\n");
  EXPECT_EQ(opened, (std::vector<std::size_t>{0, 1, 2}));
  auto parts = read_parts(text, "bnd", 4096);
  ASSERT_EQ(parts.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(str(parts[i].body), bodies[i]);
}

TEST(MultipartSource, LengthIsExactlyWhatTheSourceWrites) {
  const std::string boundary = "arca-0123456789abcdef0123456789abcdef";
  std::vector<std::string> bodies = {"one", std::string(300001, 'z'), "", "four"};
  std::vector<std::string> types = {"application/dicom; transfer-syntax=1.2.840.10008.1.2.1",
                                    "application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50",
                                    "application/dicom", "x"};
  std::vector<std::pair<std::string, std::uint64_t>> sizes;
  for (std::size_t i = 0; i < bodies.size(); ++i)
    sizes.emplace_back(types[i], bodies[i].size());
  for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{4}}) {
    MultipartSource source(boundary, count, [&](std::size_t i) -> Result<PartSource> {
      return PartSource{types[i], std::make_unique<MemorySource>(ByteView(
                                      reinterpret_cast<const std::uint8_t*>(bodies[i].data()),
                                      bodies[i].size()))};
    });
    auto all = read_all(source, 1 << 22);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(),
              multipart_length(boundary, {sizes.begin(), sizes.begin() + static_cast<long>(count)}))
        << count;
  }
}

TEST(MultipartSource, NoPartsIsJustTheCloseDelimiter) {
  MultipartSource source("bnd", 0, [](std::size_t) -> Result<PartSource> {
    return make_error(ErrorCode::kInternal, "not called");
  });
  auto all = read_all(source, 1024);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(str(*all), "--bnd--\r\n");
}

TEST(MultipartSource, OpenerErrorFailsTheStream) {
  MultipartSource source("bnd", 1, [](std::size_t) -> Result<PartSource> {
    return make_error(ErrorCode::kIntegrity, "damaged");
  });
  auto all = read_all(source, 1024);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kIntegrity);
}

TEST(MultipartSource, BoundaryFromRandomBytes) {
  Bytes r(16, 0xAB);
  EXPECT_EQ(make_boundary(r), "arca-abababababababababababababababab");
}

}  // namespace
}  // namespace arca::dicomweb
