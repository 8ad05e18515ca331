// PeerAdmin: adding and removing DICOM peers as an audited admin use case (admin.peers), for the
// CLI now and the admin API later. Listing needs admin.peers too and is not audited (it reveals
// no patient data).
// Thread-safety: thread-safe (the registry and the recorder are).
#pragma once

#include <string_view>
#include <vector>

#include "audit/recorder.h"
#include "core/clock.h"
#include "core/logger.h"
#include "service/request_context.h"
#include "store/account_store.h"
#include "store/peer_registry.h"

namespace arca::service {

struct PeerAdminDeps {
  store::PeerRegistry& peers;
  store::AccountStore& tenants;  // a peer must name an existing tenant
  audit::AuditRecorder& audit;
  const Clock& clock;
  Logger& logger;
};

class PeerAdmin {
 public:
  explicit PeerAdmin(PeerAdminDeps deps) : deps_(deps) {}

  Result<std::vector<store::Peer>> list(const RequestContext& ctx);
  // A peer of another tenant needs a system admin; the tenant must exist.
  Result<void> add(const RequestContext& ctx, const store::Peer& peer);
  Result<void> remove(const RequestContext& ctx, std::string_view ae_title);

 private:
  Result<void> record(const RequestContext& ctx, std::string detail, const Error* error);
  PeerAdminDeps deps_;
};

}  // namespace arca::service
