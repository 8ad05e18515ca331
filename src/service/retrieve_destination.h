// Where a C-MOVE (or `arca send`) may deliver: only to a configured peer marked `receive`, in
// the requesting principal's own tenant. Anything else is "unknown destination" (kNotFound), so
// a peer cannot learn of another tenant's peers nor send a study out of its tenant.
#pragma once

#include <string>

#include "service/request_context.h"
#include "store/peer_registry.h"

namespace arca::service {

inline Result<store::Peer> retrieve_destination(store::PeerDirectory& peers,
                                                const RequestContext& ctx,
                                                const std::string& ae_title) {
  auto found = ARCA_TRY(peers.find_peer(ae_title));
  if (!found || !found->may(store::PeerOperation::kReceive) ||
      found->tenant != ctx.principal.tenant)
    return make_error(ErrorCode::kNotFound, "unknown destination AE title");
  return std::move(*found);
}

}  // namespace arca::service
