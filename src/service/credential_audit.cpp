// AccountService: the credential of every signed-in HTTPS request, and the audit records of
// recognised credentials that are refused.
#include "service/account_service.h"

namespace arca::service {
namespace {

constexpr std::int64_t kTokenRecordIntervalMs = 60 * 1000;
constexpr std::size_t kMaxTrackedTokens = 10000;

RequestContext in_tenant(const RequestContext& ctx, const TenantId& tenant) {
  RequestContext attributed = ctx;
  attributed.principal.tenant = tenant;
  return attributed;
}

}  // namespace

Result<auth::Identity> AccountService::authenticate_token(const RequestContext& ctx,
                                                          const SecretString& token) {
  auth::RefusedCredential refused;
  auto identity = deps_.accounts.resolve_api_token(token, &refused);
  if (identity.ok() || refused.actor.empty())
    return identity;
  const std::int64_t now = to_unix_ms(deps_.clock.now());
  std::uint64_t left_out = 0;
  {
    std::lock_guard lock(refused_mu_);
    auto [it, fresh] = refused_tokens_.try_emplace(refused.actor, now, 0);
    if (!fresh) {
      if (now - it->second.first < kTokenRecordIntervalMs) {
        ++it->second.second;
        return identity;  // recorded lately: counted, told in the next record
      }
      left_out = it->second.second;
      it->second = {now, 0};
    }
    if (refused_tokens_.size() > kMaxTrackedTokens)
      std::erase_if(refused_tokens_, [now](const auto& entry) {
        return now - entry.second.first >= kTokenRecordIntervalMs;
      });
  }
  std::string detail = "API token refused: " + refused.reason;
  if (left_out > 0)
    detail += " (" + std::to_string(left_out) + " more refusals since the last record)";
  (void)record(in_tenant(ctx, refused.tenant), AuditAction::kLogin, std::move(detail),
               &identity.error(), refused.actor);
  return identity;
}

Result<auth::Identity> AccountService::authenticate_session(const RequestContext& ctx,
                                                            const SecretString& session) {
  auth::RefusedCredential refused;
  auto identity = deps_.accounts.resolve_session(session, &refused);
  if (identity.ok() || refused.actor.empty())
    return identity;
  (void)record(in_tenant(ctx, refused.tenant), AuditAction::kLogout,
               "session ended: " + refused.reason, nullptr, refused.actor);
  return identity;
}

}  // namespace arca::service
