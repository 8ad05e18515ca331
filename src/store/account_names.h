// Comma-separated text forms of role and permission sets, as stored by account stores and
// shown by the CLI: "radiologist,referring", "study.query,image.read". Unknown names are
// dropped when reading (a name retired by a later release grants nothing).
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "domain/permission.h"

namespace arca::store {

std::string join_roles(const std::set<Role>& roles);
std::set<Role> split_roles(std::string_view text);
std::string join_permissions(const std::set<Permission>& permissions);
std::set<Permission> split_permissions(std::string_view text);

}  // namespace arca::store
