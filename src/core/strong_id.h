// Strong string ids: a TenantId cannot be passed where a KeyId is expected (STYLE rule 6).
#pragma once

#include <compare>
#include <functional>
#include <ostream>
#include <string>
#include <utility>

namespace arca {

template <typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string value) : value_(std::move(value)) {}

  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }

  auto operator<=>(const StrongId&) const = default;
  bool operator==(const StrongId&) const = default;

  friend std::ostream& operator<<(std::ostream& os, const StrongId& id) { return os << id.value_; }

 private:
  std::string value_;
};

}  // namespace arca

template <typename Tag>
struct std::hash<arca::StrongId<Tag>> {
  std::size_t operator()(const arca::StrongId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};
