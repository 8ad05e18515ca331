// Accounts: signing in, the second factor, password change and signing out.
#include <string>

#include "auth/accounts.h"
#include "auth/password_policy.h"
#include "auth/policy.h"
#include "crypto/totp.h"

namespace arca::auth {
namespace {

Error wrong_credentials() {
  return make_error(ErrorCode::kUnauthenticated, "wrong username or password");
}

std::string seconds_text(std::int64_t ms) {
  return std::to_string((ms + 999) / 1000) + " s";
}

}  // namespace

Result<void> Accounts::record_failure(store::User& user) {
  user.failed_logins += 1;
  std::int64_t wait = backoff_ms(user.failed_logins, settings_.lockout_threshold);
  if (wait > 0)
    user.locked_until_ms = now_ms() + wait;
  return store_.update_user(user);
}

Result<SignIn> Accounts::open_session(const store::User& user, bool second_factor_done,
                                      std::string_view client_address) {
  SignIn out;
  out.session_id = new_session_id(random_);
  store::Session s;
  s.id_hash = keys_.digest("session", out.session_id.reveal());
  s.user = user.id;
  s.tenant = user.tenant;
  s.second_factor_done = second_factor_done;
  s.created_ms = now_ms();
  s.last_seen_ms = s.created_ms;
  s.client_address = std::string(client_address);
  ARCA_TRY(store_.add_session(s));
  auto tenant = ARCA_TRY(tenant_of(user.tenant));
  out.step = next_step(user, tenant, s);
  out.user = user;
  return out;
}

Result<SignIn> Accounts::sign_in(std::string_view username, const SecretString& password,
                                 std::string_view client_address) {
  const std::int64_t now = now_ms();
  if (address_blocked(client_address, now))
    return make_error(ErrorCode::kRateLimited,
                      "too many failed sign-ins from this address; try again later");
  auto found = ARCA_TRY(store_.find_user_by_name(username));
  if (!found || found->service_account || found->password_hash.empty()) {
    (void)crypto::verify_password(password, dummy_hash_);  // same cost as a real check
    address_failed(client_address, now);
    return wrong_credentials();
  }
  store::User user = std::move(*found);
  if (user.locked_until_ms > now) {
    address_failed(client_address, now);
    return make_error(ErrorCode::kRateLimited,
                      "account locked after repeated failed sign-ins; try again in " +
                          seconds_text(user.locked_until_ms - now));
  }
  bool match = ARCA_TRY(crypto::verify_password(password, user.password_hash));
  if (!match) {
    address_failed(client_address, now);
    ARCA_TRY(record_failure(user));
    return wrong_credentials();
  }
  if (user.disabled)
    return make_error(ErrorCode::kPermissionDenied, "account disabled");
  address_succeeded(client_address);
  bool dirty = user.failed_logins != 0 || user.locked_until_ms != 0;
  user.failed_logins = 0;
  user.locked_until_ms = 0;
  if (crypto::needs_rehash(user.password_hash, settings_.argon2)) {
    user.password_hash = ARCA_TRY(crypto::hash_password(password, settings_.argon2, random_));
    dirty = true;
  }
  if (dirty)
    ARCA_TRY(store_.update_user(user));
  return open_session(user, false, client_address);
}

Result<SignIn> Accounts::renew_session(const store::Session& old, const store::User& user) {
  ARCA_TRY(store_.delete_session(old.id_hash));
  return open_session(user, true, old.client_address);
}

Result<SignIn> Accounts::verify_second_factor(const SecretString& session_id,
                                              std::string_view code) {
  auto [session, user] = ARCA_TRY(live_session(session_id));
  if (!user.totp_enabled)
    return make_error(ErrorCode::kInvalidArgument, "no second factor is enrolled");
  if (session.second_factor_done)
    return make_error(ErrorCode::kInvalidArgument, "the second factor is already done");
  const std::int64_t now = now_ms();
  if (user.locked_until_ms > now)
    return make_error(ErrorCode::kRateLimited,
                      "account locked after repeated failed codes; try again in " +
                          seconds_text(user.locked_until_ms - now));
  bool accepted = false;
  std::string normalized = normalize_recovery_code(code);
  if (normalized.size() == 12) {
    accepted =
        ARCA_TRY(store_.use_recovery_code(user.id, keys_.digest("recovery", normalized), now));
    if (!accepted) {
      ARCA_TRY(record_failure(user));
      return make_error(ErrorCode::kUnauthenticated, "recovery code wrong or already used");
    }
  } else {
    auto secret = ARCA_TRY(keys_.unwrap_totp_secret(user.totp_secret_wrapped, user.id));
    auto step = crypto::match_totp(secret, code, now / 1000);
    if (!step) {
      ARCA_TRY(record_failure(user));
      return make_error(ErrorCode::kUnauthenticated, "wrong authentication code");
    }
    if (!ARCA_TRY(store_.advance_totp_step(user.id, static_cast<std::int64_t>(*step))))
      return make_error(ErrorCode::kUnauthenticated,
                        "authentication code already used; wait for the next one");
  }
  user = ARCA_TRY(user_of(user.id));
  user.failed_logins = 0;
  user.locked_until_ms = 0;
  ARCA_TRY(store_.update_user(user));
  return renew_session(session, user);
}

Result<SignIn> Accounts::change_password(const SecretString& session_id,
                                         const SecretString& current,
                                         const SecretString& replacement) {
  auto [session, user] = ARCA_TRY(live_session(session_id));
  if (user.totp_enabled && !session.second_factor_done)
    return make_error(ErrorCode::kUnauthenticated, "second factor required first");
  if (!ARCA_TRY(crypto::verify_password(current, user.password_hash))) {
    ARCA_TRY(record_failure(user));
    return make_error(ErrorCode::kUnauthenticated, "current password is wrong");
  }
  ARCA_TRY(check_new_password(replacement, user.username, settings_.min_password_length));
  if (ARCA_TRY(crypto::verify_password(replacement, user.password_hash)))
    return make_error(ErrorCode::kInvalidArgument, "new password must differ from the old one");
  user.password_hash = ARCA_TRY(crypto::hash_password(replacement, settings_.argon2, random_));
  user.must_change_password = false;
  user.password_changed_ms = now_ms();
  ARCA_TRY(store_.update_user(user));
  ARCA_TRY(store_.delete_user_sessions(user.id));
  return open_session(user, session.second_factor_done, session.client_address);
}

Result<void> Accounts::sign_out(const SecretString& session_id) {
  return store_.delete_session(keys_.digest("session", session_id.reveal()));
}

}  // namespace arca::auth
