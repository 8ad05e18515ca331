#include "domain/ids.h"

#include <gtest/gtest.h>

namespace arca {
namespace {

TEST(UidTest, AcceptsWellFormed) {
  EXPECT_TRUE(is_valid_uid("1.2.840.10008.1.2.1"));
  EXPECT_TRUE(is_valid_uid("0.1"));
  EXPECT_TRUE(is_valid_uid("2.25.329800735698586629295641978511506172918"));
}

TEST(UidTest, RejectsMalformed) {
  EXPECT_FALSE(is_valid_uid(""));
  EXPECT_FALSE(is_valid_uid("1..2"));
  EXPECT_FALSE(is_valid_uid("1.2."));
  EXPECT_FALSE(is_valid_uid(".1.2"));
  EXPECT_FALSE(is_valid_uid("1.02.3"));
  EXPECT_FALSE(is_valid_uid("1.2.a"));
  EXPECT_FALSE(is_valid_uid(std::string(65, '1')));
}

}  // namespace
}  // namespace arca
