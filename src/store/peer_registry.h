// PeerRegistry: the DICOM application entities (modalities, workstations, other archives) that
// may talk DIMSE to Arca (DESIGN §5: a peer is a principal). Each peer is known by its AE title
// (unique across the archive), the address it connects from and is reached at, the tenant it
// belongs to and the operations it may perform there. The DIMSE adapter matches every
// association against this registry; `arca peer` edits it.
// Thread-safety: implementations are thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/ids.h"

namespace arca::store {

// What a peer may do, and one thing it is: kStore, kFind, kMove and kGet are requests the peer
// may make of Arca; kReceive ("receive") marks a peer that accepts C-STOREs from Arca at its
// host and port, i.e. a valid C-MOVE destination and `arca send` target. kReceive grants the
// peer no permission of its own.
enum class PeerOperation { kStore, kFind, kMove, kGet, kReceive };

// "store", "find", "move", "get", "receive"
std::string_view peer_operation_name(PeerOperation op);
std::optional<PeerOperation> parse_peer_operation(std::string_view name);

enum class PeerTransport { kPlain, kTls };

struct Peer {
  std::string ae_title;  // 1..16 characters, no backslash, not all spaces
  std::string host;      // IP address or host name the peer connects from and listens on
  int port = 104;        // where the peer listens (when it may receive: PeerOperation::kReceive)
  TenantId tenant;
  std::set<PeerOperation> allowed;
  PeerTransport transport = PeerTransport::kPlain;  // kTls: only over the DICOM TLS listener
  // Lower-case hex SHA-256 of the peer's DER certificate; empty: any certificate the TLS
  // listener trusts (or none, when mutual authentication is off). Arca connects to a kTls peer
  // (C-MOVE destination, send, retrieve) only if this is set and the peer's certificate matches.
  std::string certificate_fingerprint;

  bool may(PeerOperation op) const { return allowed.count(op) != 0; }
};

// kInvalidArgument with a reason when the peer's fields are malformed.
Result<void> validate_peer(const Peer& peer);

class PeerDirectory {
 public:
  virtual ~PeerDirectory() = default;
  virtual Result<std::optional<Peer>> find_peer(std::string_view ae_title) = 0;
  // Ordered by AE title.
  virtual Result<std::vector<Peer>> list_peers() = 0;
  // The tenant that accepts C-STOREs from peers that are not configured ("open storage"), if
  // one does. Default: none.
  virtual Result<std::optional<TenantId>> open_storage_tenant() {
    return std::optional<TenantId>();
  }
};

class PeerRegistry : public PeerDirectory {
 public:
  // kAlreadyExists if the AE title is taken; kInvalidArgument if validate_peer() fails.
  virtual Result<void> add_peer(const Peer& peer) = 0;
  // kNotFound if there is no such peer.
  virtual Result<void> remove_peer(std::string_view ae_title) = 0;
};

}  // namespace arca::store
