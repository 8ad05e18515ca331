// HTTP request methods Arca routes on.
#pragma once

#include <optional>
#include <string_view>

namespace arca::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions };

std::string_view method_name(Method m);  // "GET"
// Exact, case-sensitive token as on the request line; nullopt for anything else.
std::optional<Method> parse_method(std::string_view token);

}  // namespace arca::http
