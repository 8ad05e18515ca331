#include "core/secret.h"

#include <gtest/gtest.h>

#include <sstream>

namespace arca {
namespace {

TEST(SecretTest, PrintsRedacted) {
  SecretString s(std::string("hunter2"));
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "***");
  EXPECT_EQ(s.reveal(), "hunter2");
}

TEST(SecretTest, MoveLeavesSourceEmpty) {
  SecretBytes a(Bytes{1, 2, 3});
  SecretBytes b = std::move(a);
  EXPECT_EQ(b.reveal(), (Bytes{1, 2, 3}));
  EXPECT_EQ(b.clone().reveal(), (Bytes{1, 2, 3}));
}

TEST(HexTest, RoundTrip) {
  Bytes b{0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(b), "00abff");
  EXPECT_EQ(from_hex("00ABff").value(), b);
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(HexTest, IsLowerHexTakesExactlyWhatToHexWrites) {
  EXPECT_TRUE(is_lower_hex(to_hex(Bytes{0x00, 0xab, 0xff}), 6));
  EXPECT_TRUE(is_lower_hex("", 0));
  EXPECT_FALSE(is_lower_hex("00abff", 4));  // another length
  EXPECT_FALSE(is_lower_hex("00ABff", 6));  // upper case
  EXPECT_FALSE(is_lower_hex("00abfg", 6));  // not a digit
  EXPECT_FALSE(is_lower_hex("00ab f", 6));
}

}  // namespace
}  // namespace arca
