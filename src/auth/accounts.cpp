#include "auth/accounts.h"

#include <algorithm>

#include "auth/policy.h"

namespace arca::auth {

std::string_view sign_in_step_name(SignInStep step) {
  switch (step) {
    case SignInStep::kSecondFactor:
      return "second_factor";
    case SignInStep::kChangePassword:
      return "change_password";
    case SignInStep::kEnrollSecondFactor:
      return "enroll_second_factor";
    case SignInStep::kDone:
      return "done";
  }
  return "done";
}

std::string Identity::actor() const {
  if (token)
    return "token:" + std::to_string(*token);
  return "user:" + std::to_string(user.id);
}

Accounts::Accounts(store::AccountStore& store, const Clock& clock, Random& random,
                   SecretBytes account_key, AuthSettings settings, ReferringStudies* referring)
    : store_(store),
      clock_(clock),
      random_(random),
      keys_(std::move(account_key)),
      settings_(std::move(settings)),
      referring_(referring) {
  auto dummy = crypto::hash_password(SecretString(random_.hex(16)), settings_.argon2, random_);
  if (dummy.ok())
    dummy_hash_ = std::move(dummy).take();
}

std::int64_t Accounts::now_ms() const {
  return to_unix_ms(clock_.now());
}

Result<store::User> Accounts::user_of(store::UserId id) {
  auto u = ARCA_TRY(store_.find_user(id));
  if (!u)
    return make_error(ErrorCode::kNotFound, "no such user");
  return std::move(*u);
}

Result<store::Tenant> Accounts::tenant_of(const TenantId& id) {
  auto t = ARCA_TRY(store_.find_tenant(id));
  if (!t)
    return make_error(ErrorCode::kNotFound, "no such tenant");
  return std::move(*t);
}

SignInStep Accounts::next_step(const store::User& user, const store::Tenant& tenant,
                               const store::Session& session) const {
  if (user.totp_enabled && !session.second_factor_done)
    return SignInStep::kSecondFactor;
  if (user.must_change_password)
    return SignInStep::kChangePassword;
  if (second_factor_required(user, tenant) && !user.totp_enabled)
    return SignInStep::kEnrollSecondFactor;
  return SignInStep::kDone;
}

Result<std::optional<std::set<std::string>>> Accounts::study_scope(const store::User& user,
                                                                   const store::Tenant& tenant) {
  if (!limited_to_granted_studies(user))
    return std::optional<std::set<std::string>>();
  std::set<std::string> scope;
  for (const store::StudyGrant& g : ARCA_TRY(store_.list_grants(user.id)))
    scope.insert(g.study.str());
  if (tenant.referring_name_match && referring_ != nullptr && !user.linked_name.empty()) {
    for (const std::string& s :
         ARCA_TRY(referring_->studies_referred_to(user.tenant, user.linked_name)))
      scope.insert(s);
  }
  return std::optional<std::set<std::string>>(std::move(scope));
}

std::int64_t Accounts::backoff_ms(std::int64_t failures, int threshold) const {
  if (failures < threshold)
    return 0;
  std::int64_t base =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.lockout_base).count();
  std::int64_t max =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.lockout_max).count();
  std::int64_t doublings = std::min<std::int64_t>(failures - threshold, 20);
  return std::min(max, base << doublings);
}

bool Accounts::address_blocked(std::string_view address, std::int64_t now) const {
  std::lock_guard lock(throttle_mu_);
  auto it = addresses_.find(address);
  return it != addresses_.end() && it->second.blocked_until_ms > now;
}

void Accounts::address_failed(std::string_view address, std::int64_t now) {
  std::lock_guard lock(throttle_mu_);
  if (addresses_.size() > 100000) {
    // Bounded memory: forget addresses that are not blocked any more.
    std::erase_if(addresses_, [&](const auto& kv) { return kv.second.blocked_until_ms <= now; });
  }
  AddressState& s = addresses_[std::string(address)];
  s.failures += 1;
  std::int64_t wait = backoff_ms(s.failures, settings_.address_threshold);
  if (wait > 0)
    s.blocked_until_ms = now + wait;
}

void Accounts::address_succeeded(std::string_view address) {
  std::lock_guard lock(throttle_mu_);
  auto it = addresses_.find(address);
  if (it != addresses_.end())
    addresses_.erase(it);
}

}  // namespace arca::auth
