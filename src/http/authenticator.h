// Authentication seam of the HTTP layer. Every non-public route asks the Authenticator who is
// calling, then checks the route's required permission against the Principal it returns.
// Deny by default: until accounts exist the server is wired with DenyAllAuthenticator, so every
// non-public route answers 401.
// Thread-safety: Authenticator implementations must be thread-safe (called from every server
// thread at once). Principal is a plain value.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "domain/permission.h"

namespace arca::http {

class Request;

// A set of permissions, small enough to copy freely.
class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> ps) {
    for (Permission p : ps)
      add(p);
  }
  void add(Permission p) { bits_ |= bit(p); }
  bool contains(Permission p) const { return (bits_ & bit(p)) != 0; }

 private:
  static std::uint32_t bit(Permission p) { return 1U << static_cast<unsigned>(p); }
  std::uint32_t bits_ = 0;
};

// Who is calling, as far as the HTTP layer needs to know. Per-study grants and tenancy rules
// are enforced by service/; `permissions` is only the route-level gate.
struct Principal {
  std::string actor;   // opaque, PHI-free id for logs and audit, e.g. "user:42", "token:7"
  std::string tenant;  // tenant id
  PermissionSet permissions;
  std::int64_t user_id = 0;  // the account behind a session or token; 0 otherwise
  bool system_admin = false;
  // nullopt: every study of the tenant; otherwise only these Study Instance UIDs (enforced by
  // service/, carried here so handlers can pass it on).
  std::optional<std::vector<std::string>> study_scope;
  // Empty when signing in is complete; otherwise the step still owed ("second_factor", ...).
  // Such a principal reaches only Access::signed_in() routes.
  std::string pending_step;

  // A complete sign-in with these permissions and no study scope (tests, dev access).
  static Principal make(std::string actor, std::string tenant, PermissionSet permissions) {
    Principal p;
    p.actor = std::move(actor);
    p.tenant = std::move(tenant);
    p.permissions = permissions;
    return p;
  }
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The caller's principal, or kUnauthenticated (missing/invalid credentials). Any other error
  // code is answered as mapped by the catalogue (e.g. kUnavailable when the store is down).
  virtual Result<Principal> authenticate(const Request& request) = 0;
};

// Refuses everyone; the default until real authenticators are wired in app/.
class DenyAllAuthenticator final : public Authenticator {
 public:
  Result<Principal> authenticate(const Request& request) override;
};

// DEVELOPMENT ONLY, until accounts exist (issue 5): grants `principal` to a request whose client
// address is loopback (127.0.0.0/8, ::1, ::ffff:127.x.x.x) and refuses every other address with
// kUnauthenticated. app/ wires it only when the operator asks explicitly (`arca serve
// --dev-local-access`) and warns loudly; it is never the default.
class LoopbackDevAuthenticator final : public Authenticator {
 public:
  explicit LoopbackDevAuthenticator(Principal principal) : principal_(std::move(principal)) {}
  Result<Principal> authenticate(const Request& request) override;

 private:
  Principal principal_;
};

// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x.x.x, in the textual form the server reports.
bool is_loopback_address(std::string_view address);

}  // namespace arca::http
