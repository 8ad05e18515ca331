#include "http/method.h"

#include <array>
#include <utility>

namespace arca::http {
namespace {

constexpr std::array<std::pair<Method, std::string_view>, 7> kMethods{{
    {Method::kGet, "GET"},
    {Method::kHead, "HEAD"},
    {Method::kPost, "POST"},
    {Method::kPut, "PUT"},
    {Method::kDelete, "DELETE"},
    {Method::kPatch, "PATCH"},
    {Method::kOptions, "OPTIONS"},
}};

}  // namespace

std::string_view method_name(Method m) {
  for (const auto& [method, name] : kMethods) {
    if (method == m)
      return name;
  }
  return "?";
}

std::optional<Method> parse_method(std::string_view token) {
  for (const auto& [method, name] : kMethods) {
    if (name == token)
      return method;
  }
  return std::nullopt;
}

}  // namespace arca::http
