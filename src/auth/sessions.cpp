// Accounts: turning a session id into an Identity, with the idle and absolute timeouts.
#include <chrono>

#include "auth/accounts.h"
#include "auth/policy.h"
#include "crypto/hash.h"

namespace arca::auth {
namespace {

// last_seen is written at most this often, so reads do not each cost a write.
constexpr std::int64_t kTouchIntervalMs = 15 * 1000;

std::int64_t ms(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
}

}  // namespace

Result<std::pair<store::Session, store::User>> Accounts::live_session(
    const SecretString& session_id, RefusedCredential* refused) {
  Bytes digest = keys_.digest("session", session_id.reveal());
  auto found = ARCA_TRY(store_.find_session(digest));
  if (!found)
    return make_error(ErrorCode::kUnauthenticated, "not signed in (or signed out)");
  store::Session session = std::move(*found);
  // Ends the session for good and says why, to the caller and (through `refused`) the trail.
  auto end = [&](const char* why) -> Result<std::pair<store::Session, store::User>> {
    ARCA_TRY(store_.delete_session(digest));
    if (refused != nullptr)
      *refused = RefusedCredential{"user:" + std::to_string(session.user), session.tenant, why};
    return make_error(ErrorCode::kUnauthenticated, why);
  };
  const std::int64_t now = now_ms();
  if (now - session.created_ms > ms(settings_.absolute_timeout))
    return end("session expired; sign in again");
  if (now - session.last_seen_ms > ms(settings_.idle_timeout))
    return end("session timed out after inactivity");
  auto user = ARCA_TRY(store_.find_user(session.user));
  if (!user || user->disabled || user->password_changed_ms > session.created_ms)
    return end("session no longer valid; sign in again");
  if (now - session.last_seen_ms > kTouchIntervalMs) {
    session.last_seen_ms = now;
    ARCA_TRY(store_.update_session(session));
  }
  return std::make_pair(std::move(session), std::move(*user));
}

Result<Identity> Accounts::resolve_session(const SecretString& session_id,
                                           RefusedCredential* refused) {
  auto [session, user] = ARCA_TRY(live_session(session_id, refused));
  Identity id;
  id.tenant = ARCA_TRY(tenant_of(user.tenant));
  id.step = next_step(user, id.tenant, session);
  if (id.step == SignInStep::kDone) {
    id.permissions = role_permissions(user);
    id.study_scope = ARCA_TRY(study_scope(user, id.tenant));
  }
  id.user = std::move(user);
  return id;
}

std::string Accounts::csrf_token(const SecretString& session_id) const {
  return keys_.csrf_token(session_id);
}

bool Accounts::check_csrf(const SecretString& session_id, std::string_view presented) const {
  std::string expected = keys_.csrf_token(session_id);
  return crypto::constant_time_equal(
      ByteView(reinterpret_cast<const std::uint8_t*>(expected.data()), expected.size()),
      ByteView(reinterpret_cast<const std::uint8_t*>(presented.data()), presented.size()));
}

}  // namespace arca::auth
