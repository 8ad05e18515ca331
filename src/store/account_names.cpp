#include "store/account_names.h"

namespace arca::store {
namespace {

template <typename T, typename NameFn>
std::string join(const std::set<T>& items, NameFn name) {
  std::string out;
  for (const T& item : items) {
    if (!out.empty())
      out += ',';
    out += name(item);
  }
  return out;
}

template <typename T, typename ParseFn>
std::set<T> split(std::string_view text, ParseFn parse) {
  std::set<T> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    if (auto item = parse(text.substr(0, comma)))
      out.insert(*item);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

}  // namespace

std::string join_roles(const std::set<Role>& roles) {
  return join(roles, role_name);
}
std::set<Role> split_roles(std::string_view text) {
  return split<Role>(text, parse_role);
}
std::string join_permissions(const std::set<Permission>& permissions) {
  return join(permissions, permission_name);
}
std::set<Permission> split_permissions(std::string_view text) {
  return split<Permission>(text, parse_permission);
}

}  // namespace arca::store
