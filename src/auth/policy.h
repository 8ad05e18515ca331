// Policy: what a user may do (DESIGN §5 table), whether they need a second factor, and which
// studies they see. Deny by default: a user holds exactly the permissions their roles grant.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "domain/permission.h"
#include "store/account_store.h"

namespace arca::auth {

// Every permission any of the user's roles grants; admin permissions for a system admin.
std::set<Permission> role_permissions(const store::User& user);

// True when the user's only way to study data is the referring role, so they see only studies
// granted to them (explicitly, or by ReferringPhysicianName when the tenant enables it).
bool limited_to_granted_studies(const store::User& user);

// A second factor is mandatory for users who can read images, PHI or the audit trail (admins,
// radiologists, technologists, referring physicians, front desk, auditors), when the tenant says
// so (on by default). Service accounts never sign in with a password.
bool second_factor_required(const store::User& user, const store::Tenant& tenant);

}  // namespace arca::auth
