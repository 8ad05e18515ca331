// Result<T>: a value or an Error (STYLE rule 1). Fallible functions return it and callers
// propagate with ARCA_TRY:
//
//   Result<Bytes> read_header(ByteSource& in) {
//     auto n = ARCA_TRY(in.read(buffer));   // returns the Error from this function on failure
//     ...
//   }
//
// ARCA_TRY uses a GNU statement expression (GCC and Clang); use it on temporaries.
#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.h"

namespace arca {

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  template <typename U = T, typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                        !std::is_same_v<std::decay_t<U>, Error> &&
                                                        !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}      // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T take() && { return std::get<0>(std::move(v_)); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  void take() && {}
  void value() const { assert(ok()); }

  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

inline Result<void> ok() {
  return {};
}

}  // namespace arca

// Evaluates expr (a Result); on error returns the Error from the enclosing function,
// otherwise yields the value. Each expansion names its temporary uniquely (__COUNTER__), so
// ARCA_TRY nests, e.g. inside a lambda passed to a call that is itself wrapped in ARCA_TRY.
#define ARCA_TRY(expr) ARCA_TRY_IMPL_(expr, ARCA_TRY_CONCAT_(arca_try_result_, __COUNTER__))
#define ARCA_TRY_CONCAT_(a, b) ARCA_TRY_CONCAT2_(a, b)
#define ARCA_TRY_CONCAT2_(a, b) a##b
#define ARCA_TRY_IMPL_(expr, name)    \
  ({                                  \
    auto&& name = (expr);             \
    if (!name.ok())                   \
      return std::move(name).error(); \
    std::move(name).take();           \
  })
