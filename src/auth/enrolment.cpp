// Accounts: enrolling a TOTP second factor and issuing recovery codes.
#include "auth/accounts.h"
#include "crypto/totp.h"

namespace arca::auth {

Result<TotpEnrolment> Accounts::begin_enrolment(const SecretString& session_id) {
  auto [session, user] = ARCA_TRY(live_session(session_id));
  if (user.totp_enabled)
    return make_error(ErrorCode::kAlreadyExists,
                      "a second factor is already enrolled; an admin can reset it");
  if (user.must_change_password)
    return make_error(ErrorCode::kPermissionDenied, "change the one-time password first");
  SecretBytes secret = crypto::new_totp_secret(random_);
  user.totp_secret_wrapped = ARCA_TRY(keys_.wrap_totp_secret(secret, user.id, random_));
  ARCA_TRY(store_.update_user(user));
  TotpEnrolment out;
  out.otpauth_uri = crypto::otpauth_uri(settings_.totp_issuer, user.username, secret);
  out.secret_base32 = crypto::base32_encode(secret.reveal());
  return out;
}

Result<Enrolled> Accounts::confirm_enrolment(const SecretString& session_id,
                                             std::string_view code) {
  auto [session, user] = ARCA_TRY(live_session(session_id));
  if (user.totp_enabled)
    return make_error(ErrorCode::kAlreadyExists, "a second factor is already enrolled");
  if (user.totp_secret_wrapped.empty())
    return make_error(ErrorCode::kInvalidArgument, "start the enrolment first");
  auto secret = ARCA_TRY(keys_.unwrap_totp_secret(user.totp_secret_wrapped, user.id));
  const std::int64_t now = now_ms();
  auto step = crypto::match_totp(secret, code, now / 1000);
  if (!step)
    return make_error(ErrorCode::kUnauthenticated,
                      "wrong authentication code; check the device's clock and try again");
  user.totp_enabled = true;
  user.totp_last_step = static_cast<std::int64_t>(*step);  // this code cannot be replayed
  ARCA_TRY(store_.update_user(user));
  std::vector<std::string> codes = new_recovery_codes(random_);
  std::vector<Bytes> digests;
  for (const std::string& c : codes)
    digests.push_back(keys_.digest("recovery", normalize_recovery_code(c)));
  ARCA_TRY(store_.set_recovery_codes(user.id, digests));
  return Enrolled{std::move(codes), ARCA_TRY(renew_session(session, user))};
}

}  // namespace arca::auth
