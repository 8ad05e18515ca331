// AccountService: the identity use cases (DESIGN §5) for every transport — the JSON API and the
// CLI. Each call is authorize → do → audit (STYLE rule 8): sign-in steps are audited with their
// outcome; user, token and grant changes need admin.users (admin) within the caller's tenant
// (any tenant for a system admin); a user may manage their own password, second factor and
// tokens. Secrets pass through as Secret<> and never reach a log or an audit record.
// Thread-safety: thread-safe (Accounts and the recorder are).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/recorder.h"
#include "auth/accounts.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/request_context.h"

namespace arca::service {

struct AccountDeps {
  auth::Accounts& accounts;
  audit::AuditRecorder& audit;
  const Clock& clock;
  Logger& logger;
};

// Turns an Identity into the Principal service/ checks.
Principal principal_of(const auth::Identity& identity);

class AccountService {
 public:
  explicit AccountService(AccountDeps deps) : deps_(deps) {}

  auth::Accounts& accounts() { return deps_.accounts; }

  // --- signing in (ctx: client address and request id; its principal is not used)
  Result<auth::SignIn> sign_in(const RequestContext& ctx, std::string_view username,
                               const SecretString& password);
  Result<auth::SignIn> second_factor(const RequestContext& ctx, const SecretString& session,
                                     std::string_view code);
  Result<auth::SignIn> change_password(const RequestContext& ctx, const SecretString& session,
                                       const SecretString& current,
                                       const SecretString& replacement);
  Result<auth::TotpEnrolment> begin_enrolment(const RequestContext& ctx,
                                              const SecretString& session);
  Result<auth::Enrolled> confirm_enrolment(const RequestContext& ctx, const SecretString& session,
                                           std::string_view code);
  Result<void> sign_out(const RequestContext& ctx, const SecretString& session);
  // --- every signed-in HTTPS request: the caller behind an API token or a session cookie
  // (credential_audit.cpp). A recognised credential that is refused is recorded in its owner's
  // tenant: a session that timed out or was made invalid as `logout` (once: it is deleted), a
  // revoked or expired token, or one whose account is disabled, as a failed `login` — at most
  // once a minute per token (the next record counts those left out), so a client retrying in a
  // loop cannot flood the trail. Unknown credentials name no one and are not recorded, like
  // anonymous requests. The request is refused either way, recorded or not.
  Result<auth::Identity> authenticate_token(const RequestContext& ctx, const SecretString& token);
  Result<auth::Identity> authenticate_session(const RequestContext& ctx,
                                              const SecretString& session);

  // The signed-in caller's own account (their profile); kUnauthenticated if it is gone.
  Result<store::User> own_account(store::UserId user);

  // --- administration
  Result<std::vector<store::User>> list_users(const RequestContext& ctx);
  Result<store::User> find_user(const RequestContext& ctx, std::string_view username);
  Result<auth::NewUser> add_user(const RequestContext& ctx, const TenantId& tenant,
                                 std::string username, std::set<Role> roles,
                                 const auth::UserOptions& options);
  Result<SecretString> reset_password(const RequestContext& ctx, store::UserId user);
  Result<void> reset_second_factor(const RequestContext& ctx, store::UserId user);
  Result<void> set_disabled(const RequestContext& ctx, store::UserId user, bool disabled);
  Result<void> set_roles(const RequestContext& ctx, store::UserId user, std::set<Role> roles);
  Result<std::vector<store::StudyGrant>> list_grants(const RequestContext& ctx, store::UserId user);
  Result<void> grant_study(const RequestContext& ctx, store::UserId user, const StudyUid& study);
  Result<void> revoke_study(const RequestContext& ctx, store::UserId user, const StudyUid& study);

  // --- API tokens: for oneself, or (admin) for a service account of the tenant
  Result<auth::NewToken> create_token(const RequestContext& ctx, store::UserId for_user,
                                      std::string name, std::set<Permission> permissions,
                                      std::chrono::seconds lifetime);
  // One's own tokens; every token of the tenant for an admin.
  Result<std::vector<store::ApiToken>> list_tokens(const RequestContext& ctx);
  Result<void> revoke_token(const RequestContext& ctx, store::TokenId token);

  // --- tenants (system admin)
  Result<void> add_tenant(const RequestContext& ctx, const TenantId& id, std::string name);
  Result<std::vector<store::Tenant>> list_tenants(const RequestContext& ctx);
  // Second factor mandatory or not, referring-name matching on or off (nullopt: unchanged).
  Result<void> set_tenant_options(const RequestContext& ctx, const TenantId& id,
                                  std::optional<bool> mfa_required,
                                  std::optional<bool> referring_name_match,
                                  std::optional<bool> open_storage = std::nullopt);

 private:
  // The user, if the caller may administer them (their tenant, or any for a system admin);
  // kNotFound otherwise, so other tenants' users are not revealed.
  Result<store::User> administered_user(const RequestContext& ctx, store::UserId user);
  // Records the event; a failed recording turns success into kUnavailable (fail closed).
  Result<void> record(const RequestContext& ctx, AuditAction action, std::string detail,
                      const Error* error, std::string actor = {});
  template <typename T>
  Result<T> audited(const RequestContext& ctx, AuditAction action, std::string detail,
                    Result<T> result, std::string actor = {}) {
    auto recorded = record(ctx, action, std::move(detail), result.ok() ? nullptr : &result.error(),
                           std::move(actor));
    if (!recorded.ok() && result.ok())
      return std::move(recorded).error();
    return result;
  }

  AccountDeps deps_;
  // Refused tokens recorded lately: actor -> (time of the last record, refusals left out since).
  std::mutex refused_mu_;
  std::map<std::string, std::pair<std::int64_t, std::uint64_t>> refused_tokens_;
};

}  // namespace arca::service
