#include "core/stream.h"

#include <gtest/gtest.h>

namespace arca {
namespace {

TEST(StreamTest, CopyMovesEverything) {
  Bytes data(300000);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(i * 7);
  MemorySource src(data);
  MemorySink sink;
  EXPECT_EQ(copy(src, sink).value(), data.size());
  EXPECT_EQ(sink.bytes(), data);
}

TEST(StreamTest, ReadAllEnforcesLimit) {
  Bytes data(1000, 1);
  MemorySource src(data);
  auto r = read_all(src, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
}

TEST(StreamTest, ReadFullStopsAtEnd) {
  Bytes data{1, 2, 3};
  MemorySource src(data);
  Bytes out(10);
  EXPECT_EQ(read_full(src, out).value(), 3u);
}

}  // namespace
}  // namespace arca
