// New UIDs: valid DICOM UIDs under 2.25, within the 64-character limit, never repeated.
#include "domain/uid_generator.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/ids.h"

namespace arca {
namespace {

// Every byte 0xFF: the largest UUID after the version and variant bits are set.
class MaxRandom final : public Random {
 public:
  void fill(MutableByteView out) override {
    for (auto& b : out)
      b = 0xFF;
  }
};

TEST(UidGeneratorTest, UidsAreValidDistinctAndShort) {
  SeededRandom random(7);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string uid = new_uuid_uid(random);
    EXPECT_EQ(uid.rfind("2.25.", 0), 0u) << uid;
    EXPECT_TRUE(is_valid_uid(uid)) << uid;
    EXPECT_LE(uid.size(), 64u) << uid;
    EXPECT_NE(uid[5], '0') << uid;  // no leading zero in a component
    seen.insert(uid);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UidGeneratorTest, TheLargestUuidIsItsDecimalValue) {
  MaxRandom random;
  // ffffffff-ffff-4fff-bfff-ffffffffffff as one 128-bit integer.
  EXPECT_EQ(new_uuid_uid(random), "2.25.340282366920937632322261936355783213055");
}

}  // namespace
}  // namespace arca
