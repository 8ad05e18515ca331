// Accounts: the identity core of DESIGN §5. It signs users in (password, then the steps a
// session still owes: second factor, forced password change, TOTP enrolment), resolves session
// ids and API tokens into an Identity (permissions and study scope), and administers users,
// tokens and grants. It decides; AccountStore stores. It does not audit or check who is asking
// for an admin operation — service/ wraps every call with authorize → do → audit.
//
// Implementation by job: sign_in.cpp, enrolment.cpp, sessions.cpp, api_tokens.cpp,
// user_admin.cpp; accounts.cpp holds what they share.
// Thread-safety: thread-safe (the store is; the per-address throttle has its own mutex).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials.h"
#include "auth/settings.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "core/secret.h"
#include "store/account_store.h"

namespace arca::auth {

// What a session still owes before it grants anything, in the order it is asked for.
enum class SignInStep { kSecondFactor, kChangePassword, kEnrollSecondFactor, kDone };
// "second_factor", "change_password", "enroll_second_factor", "done"
std::string_view sign_in_step_name(SignInStep step);

// Who a credential belongs to, after every check.
struct Identity {
  store::User user;
  store::Tenant tenant;
  std::optional<store::TokenId> token;  // set when the credential is an API token
  SignInStep step = SignInStep::kDone;
  std::set<Permission> permissions;  // empty unless step == kDone
  // nullopt: every study of the tenant; otherwise only these Study Instance UIDs.
  std::optional<std::set<std::string>> study_scope;

  // Opaque, PHI-free: "user:42" or "token:7".
  std::string actor() const;
};

// A credential that was recognised and then refused: an API token that is revoked, expired or
// whose account is disabled; a session past its idle or absolute timeout or made invalid. Who it
// belonged to, for the audit trail (service/ records it). Unknown credentials fill nothing: they
// identify no one, and recording them would let a scanner flood the trail.
struct RefusedCredential {
  std::string actor;  // "user:42" or "token:7"
  TenantId tenant;
  std::string reason;  // the refusal's message, PHI-free
};

struct SignIn {
  SecretString session_id;  // for the cookie; shown to nobody else
  SignInStep step = SignInStep::kDone;
  store::User user;
};

struct Enrolled {
  std::vector<std::string> recovery_codes;  // shown once
  SignIn session;                           // the renewed session
};

struct TotpEnrolment {
  std::string otpauth_uri;
  std::string secret_base32;  // for typing in when the QR code cannot be scanned
};

struct NewUser {
  store::User user;
  SecretString one_time_password;  // empty for service accounts
};

struct NewToken {
  store::ApiToken token;
  SecretString secret;  // shown once
};

struct UserOptions {
  bool system_admin = false;
  bool service_account = false;
  std::string linked_name;  // referring physician's DICOM name
};

// Studies whose ReferringPhysicianName equals `name` in `tenant` (an index query, wired in
// app/). Optional: without one, referring users see only explicit grants.
class ReferringStudies {
 public:
  virtual ~ReferringStudies() = default;
  virtual Result<std::set<std::string>> studies_referred_to(const TenantId& tenant,
                                                            const std::string& name) = 0;
};

class Accounts {
 public:
  Accounts(store::AccountStore& store, const Clock& clock, Random& random, SecretBytes account_key,
           AuthSettings settings, ReferringStudies* referring = nullptr);

  const AuthSettings& settings() const { return settings_; }
  store::AccountStore& store() { return store_; }

  // --- sign_in.cpp
  // kUnauthenticated "wrong username or password" (the same for unknown users), kRateLimited
  // while the account or the address is backing off, kPermissionDenied for a disabled account.
  Result<SignIn> sign_in(std::string_view username, const SecretString& password,
                         std::string_view client_address);
  // A TOTP code (replays refused) or one of the recovery codes (each works once). On success
  // the session is renewed (a new id; the old one ends), as after any gain in privilege.
  Result<SignIn> verify_second_factor(const SecretString& session_id, std::string_view code);
  // Every session of the user is revoked; the caller continues with the returned new one.
  Result<SignIn> change_password(const SecretString& session_id, const SecretString& current,
                                 const SecretString& replacement);
  Result<void> sign_out(const SecretString& session_id);

  // --- enrolment.cpp
  Result<TotpEnrolment> begin_enrolment(const SecretString& session_id);
  // Turns the second factor on; returns the ten recovery codes, shown once, and the renewed
  // session.
  Result<Enrolled> confirm_enrolment(const SecretString& session_id, std::string_view code);

  // --- sessions.cpp
  // kUnauthenticated with the reason (signed out, idle timeout, absolute timeout, disabled).
  // `refused`, if given, is filled when a known session is refused (it is then deleted).
  Result<Identity> resolve_session(const SecretString& session_id,
                                   RefusedCredential* refused = nullptr);
  std::string csrf_token(const SecretString& session_id) const;
  bool check_csrf(const SecretString& session_id, std::string_view presented) const;

  // --- api_tokens.cpp
  // `permissions` must be a subset of what `creator` holds and of what `for_user` holds.
  Result<NewToken> create_token(const Identity& creator, store::UserId for_user, std::string name,
                                std::set<Permission> permissions, std::chrono::seconds lifetime);
  // `refused`, if given, is filled when a known token is refused.
  Result<Identity> resolve_api_token(const SecretString& token,
                                     RefusedCredential* refused = nullptr);
  Result<void> revoke_token(store::TokenId id);
  // Ends every session and revokes every API token of every tenant: after a restore the index
  // is as old as the backup, so a credential revoked since would work again (ADR 0019).
  struct Ended {
    std::int64_t sessions = 0;
    std::int64_t tokens = 0;
  };
  Result<Ended> end_all_credentials();

  // --- user_admin.cpp
  Result<void> add_tenant(const TenantId& id, std::string display_name);
  Result<NewUser> add_user(const TenantId& tenant, std::string username, std::set<Role> roles,
                           const UserOptions& options);
  // A new one-time password; the user must change it at the next sign-in; sessions revoked.
  Result<SecretString> reset_password(store::UserId user);
  // Removes the TOTP secret and recovery codes; the user enrols again at the next sign-in.
  Result<void> reset_second_factor(store::UserId user);
  Result<void> set_disabled(store::UserId user, bool disabled);
  Result<void> set_roles(store::UserId user, std::set<Role> roles);
  Result<void> grant_study(store::UserId user, const StudyUid& study, store::UserId granted_by);
  Result<void> revoke_study(store::UserId user, const StudyUid& study);
  // Tenant `default`, which every archive has (created on first use).
  Result<void> ensure_default_tenant();
  // On first run (no system admin yet): user `admin` (admin role, system admin) in tenant
  // `default` with a one-time password. nullopt when a system admin exists.
  Result<std::optional<NewUser>> ensure_first_admin();

 private:
  friend class AccountsTestPeer;
  std::int64_t now_ms() const;
  Result<store::User> user_of(store::UserId id);
  Result<store::Tenant> tenant_of(const TenantId& id);
  SignInStep next_step(const store::User& user, const store::Tenant& tenant,
                       const store::Session& session) const;
  // The session behind `session_id` that is still valid (timeouts checked), and its user.
  Result<std::pair<store::Session, store::User>> live_session(const SecretString& session_id,
                                                              RefusedCredential* refused = nullptr);
  Result<SignIn> open_session(const store::User& user, bool second_factor_done,
                              std::string_view client_address);
  // Ends `old` and opens a session with the second factor done (session fixation defence).
  Result<SignIn> renew_session(const store::Session& old, const store::User& user);
  Result<std::optional<std::set<std::string>>> study_scope(const store::User& user,
                                                           const store::Tenant& tenant);
  Result<void> record_failure(store::User& user);
  bool address_blocked(std::string_view address, std::int64_t now) const;
  void address_failed(std::string_view address, std::int64_t now);
  void address_succeeded(std::string_view address);
  std::int64_t backoff_ms(std::int64_t failures, int threshold) const;

  store::AccountStore& store_;
  const Clock& clock_;
  Random& random_;
  CredentialKeys keys_;
  AuthSettings settings_;
  ReferringStudies* referring_;
  std::string dummy_hash_;  // verified against for unknown users, so timing does not tell

  struct AddressState {
    std::int64_t failures = 0;
    std::int64_t blocked_until_ms = 0;
  };
  mutable std::mutex throttle_mu_;
  std::map<std::string, AddressState, std::less<>> addresses_;
};

}  // namespace arca::auth
