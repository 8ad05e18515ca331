// Secret<T> holds key material, passwords and tokens. It prints as "***", is never copied
// implicitly, and wipes its bytes when destroyed. reveal() is the one, greppable way in.
// Thread-safety: as T.
#pragma once

#include <ostream>
#include <type_traits>
#include <utility>

#include "core/bytes.h"

namespace arca {

template <typename T>
class Secret {
 public:
  Secret() = default;
  explicit Secret(T value) : value_(std::move(value)) {}
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      wipe();
      value_ = std::move(other.value_);
      other.wipe();
    }
    return *this;
  }
  ~Secret() { wipe(); }

  const T& reveal() const { return value_; }
  // An explicit copy, for the rare place that must hold the secret twice.
  Secret clone() const { return Secret(value_); }

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

 private:
  void wipe() {
    if constexpr (requires(T & t) {
                    t.data();
                    t.size();
                  }) {
      if (value_.size() != 0)
        secure_wipe(value_.data(), value_.size() * sizeof(value_[0]));
    } else if constexpr (std::is_trivially_copyable_v<T>) {
      secure_wipe(&value_, sizeof(value_));
    }
  }

  T value_{};
};

using SecretBytes = Secret<Bytes>;
using SecretString = Secret<std::string>;

}  // namespace arca
