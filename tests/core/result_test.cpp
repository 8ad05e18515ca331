#include "core/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace arca {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0)
    return make_error(ErrorCode::kInvalidArgument, "not positive");
  return v;
}

Result<int> doubled(int v) {
  int x = ARCA_TRY(parse_positive(v));
  return x * 2;
}

Result<void> check(int v) {
  ARCA_TRY(parse_positive(v));
  return ok();
}

struct Base {
  virtual ~Base() = default;
};
struct Derived : Base {};

Result<std::unique_ptr<Base>> make_derived() {
  return std::make_unique<Derived>();
}

TEST(ResultTest, ValueAndErrorPropagate) {
  EXPECT_EQ(doubled(4).value(), 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "not positive");
}

TEST(ResultTest, VoidResult) {
  EXPECT_TRUE(check(1).ok());
  EXPECT_EQ(check(0).error().code, ErrorCode::kInvalidArgument);
}

TEST(ResultTest, ConvertsOwningPointers) {
  auto r = make_derived();
  ASSERT_TRUE(r.ok());
  EXPECT_NE(dynamic_cast<Derived*>(r->get()), nullptr);
}

TEST(ResultTest, MoveOnlyValueCanBeTaken) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).take();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace arca
