// AccountService: signing in, and what it shares with account_admin.cpp.
#include "service/account_service.h"

#include "service/audit_trail.h"

namespace arca::service {
namespace {

std::string user_actor(store::UserId id) {
  return "user:" + std::to_string(id);
}

}  // namespace

Principal principal_of(const auth::Identity& identity) {
  Principal p;
  p.kind = identity.token ? Principal::Kind::kApiToken : Principal::Kind::kUser;
  p.id = identity.actor();
  p.tenant = identity.user.tenant;
  p.user_id = identity.user.id;
  p.system_admin = identity.user.system_admin && !identity.token;
  p.permissions = identity.permissions;
  p.study_scope = identity.study_scope;
  return p;
}

Result<void> AccountService::record(const RequestContext& ctx, AuditAction action,
                                    std::string detail, const Error* error, std::string actor) {
  audit::AuditEvent event = audit_event(ctx, action, deps_.clock);
  if (!actor.empty())
    event.actor = std::move(actor);
  if (event.actor.empty())
    event.actor = "anonymous";
  event.detail = std::move(detail);
  set_outcome(event, error);
  return record_or_refuse(deps_.audit, event, deps_.logger);
}

Result<auth::SignIn> AccountService::sign_in(const RequestContext& ctx, std::string_view username,
                                             const SecretString& password) {
  auto result = deps_.accounts.sign_in(username, password, ctx.client_address);
  // The actor is the account tried, by opaque id, and the record goes to that account's tenant
  // (so its admins and auditors see attempts on their accounts); an unknown username is
  // recorded as "anonymous" with no tenant, never in clear (it may be a mistyped password).
  std::string actor = "anonymous";
  RequestContext attributed = ctx;
  if (result.ok()) {
    actor = user_actor(result->user.id);
    attributed.principal.tenant = result->user.tenant;
  } else if (auto u = deps_.accounts.store().find_user_by_name(username); u.ok() && *u) {
    actor = user_actor((*u)->id);
    attributed.principal.tenant = (*u)->tenant;
  }
  std::string detail =
      result.ok() ? "password accepted; next: " + std::string(auth::sign_in_step_name(result->step))
                  : "password sign-in refused";
  if (!result.ok() && result.error().code == ErrorCode::kRateLimited)
    detail = "sign-in refused: locked out";
  return audited(attributed, AuditAction::kLogin, std::move(detail), std::move(result), actor);
}

Result<auth::SignIn> AccountService::second_factor(const RequestContext& ctx,
                                                   const SecretString& session,
                                                   std::string_view code) {
  auto who = deps_.accounts.resolve_session(session);
  std::string actor = who.ok() ? who->actor() : "anonymous";
  auto result = deps_.accounts.verify_second_factor(session, code);
  std::string detail = result.ok() ? "second factor accepted; next: " +
                                         std::string(auth::sign_in_step_name(result->step))
                                   : "second factor refused";
  return audited(ctx, AuditAction::kLogin, std::move(detail), std::move(result), actor);
}

Result<auth::SignIn> AccountService::change_password(const RequestContext& ctx,
                                                     const SecretString& session,
                                                     const SecretString& current,
                                                     const SecretString& replacement) {
  auto who = deps_.accounts.resolve_session(session);
  std::string actor = who.ok() ? who->actor() : "anonymous";
  auto result = deps_.accounts.change_password(session, current, replacement);
  return audited(ctx, AuditAction::kAdmin, "password change; all sessions revoked",
                 std::move(result), actor);
}

Result<auth::TotpEnrolment> AccountService::begin_enrolment(const RequestContext& ctx,
                                                            const SecretString& session) {
  auto who = deps_.accounts.resolve_session(session);
  std::string actor = who.ok() ? who->actor() : "anonymous";
  return audited(ctx, AuditAction::kAdmin, "second factor enrolment started",
                 deps_.accounts.begin_enrolment(session), actor);
}

Result<auth::Enrolled> AccountService::confirm_enrolment(const RequestContext& ctx,
                                                         const SecretString& session,
                                                         std::string_view code) {
  auto who = deps_.accounts.resolve_session(session);
  std::string actor = who.ok() ? who->actor() : "anonymous";
  return audited(ctx, AuditAction::kAdmin, "second factor enrolled; recovery codes issued",
                 deps_.accounts.confirm_enrolment(session, code), actor);
}

Result<store::User> AccountService::own_account(store::UserId user) {
  auto found = ARCA_TRY(deps_.accounts.store().find_user(user));
  if (!found)
    return make_error(ErrorCode::kUnauthenticated, "account no longer exists");
  return std::move(*found);
}

Result<void> AccountService::sign_out(const RequestContext& ctx, const SecretString& session) {
  auto who = deps_.accounts.resolve_session(session);
  std::string actor = who.ok() ? who->actor() : "anonymous";
  return audited(ctx, AuditAction::kLogout, "signed out", deps_.accounts.sign_out(session), actor);
}

}  // namespace arca::service
