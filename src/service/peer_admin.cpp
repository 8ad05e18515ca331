#include "service/peer_admin.h"

#include "service/audit_trail.h"
#include "service/authorize.h"

namespace arca::service {

Result<void> PeerAdmin::record(const RequestContext& ctx, std::string detail, const Error* error) {
  audit::AuditEvent event = audit_event(ctx, AuditAction::kAdmin, deps_.clock);
  event.detail = std::move(detail);
  set_outcome(event, error);
  return record_or_refuse(deps_.audit, event, deps_.logger);
}

Result<std::vector<store::Peer>> PeerAdmin::list(const RequestContext& ctx) {
  ARCA_TRY(authorize(ctx, Permission::kAdminPeers));
  auto peers = ARCA_TRY(deps_.peers.list_peers());
  if (!ctx.principal.system_admin)
    std::erase_if(peers, [&](const store::Peer& p) { return p.tenant != ctx.principal.tenant; });
  return peers;
}

Result<void> PeerAdmin::add(const RequestContext& ctx, const store::Peer& peer) {
  auto done = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminPeers));
    if (peer.tenant != ctx.principal.tenant && !ctx.principal.system_admin)
      return make_error(ErrorCode::kPermissionDenied, "peers of another tenant");
    if (!ARCA_TRY(deps_.tenants.find_tenant(peer.tenant)))
      return make_error(ErrorCode::kInvalidArgument, "no tenant " + peer.tenant.str());
    return deps_.peers.add_peer(peer);
  }();
  ARCA_TRY(record(ctx, "peer added: " + peer.ae_title + " (tenant " + peer.tenant.str() + ")",
                  done.ok() ? nullptr : &done.error()));
  return done;
}

Result<void> PeerAdmin::remove(const RequestContext& ctx, std::string_view ae_title) {
  auto done = [&]() -> Result<void> {
    ARCA_TRY(authorize(ctx, Permission::kAdminPeers));
    auto found = ARCA_TRY(deps_.peers.find_peer(ae_title));
    if (!found || (found->tenant != ctx.principal.tenant && !ctx.principal.system_admin))
      return make_error(ErrorCode::kNotFound, "no peer with this AE title");
    return deps_.peers.remove_peer(ae_title);
  }();
  ARCA_TRY(
      record(ctx, "peer removed: " + std::string(ae_title), done.ok() ? nullptr : &done.error()));
  return done;
}

}  // namespace arca::service
