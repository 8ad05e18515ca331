#include "core/byte_order.h"

#include <gtest/gtest.h>

namespace arca {
namespace {

TEST(ByteOrderTest, WritesMostSignificantByteFirst) {
  Bytes out;
  append_be16(out, 0x0102);
  append_be32(out, 0x03040506);
  append_be64(out, 0x0708090A0B0C0D0E);
  EXPECT_EQ(out, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  std::uint8_t p[8];
  store_be64(p, 0x0102030405060708);
  EXPECT_EQ(Bytes(p, p + 8), (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(ByteOrderTest, ReadsBackWhatItWrote) {
  std::uint8_t p[8];
  store_be16(p, 0xFEDC);
  EXPECT_EQ(load_be16(p), 0xFEDC);
  store_be32(p, 0xFEDCBA98);
  EXPECT_EQ(load_be32(p), 0xFEDCBA98u);
  store_be64(p, 0xFEDCBA9876543210);
  EXPECT_EQ(load_be64(p), 0xFEDCBA9876543210u);
}

}  // namespace
}  // namespace arca
