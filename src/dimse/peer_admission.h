// Internal to dimse/: who is at the other end of an association (DESIGN §5). A peer is admitted
// only if its calling AE title names a configured peer, it connects from that peer's host, over
// TLS if the peer is marked so, and with the pinned certificate if one is set. An admitted peer
// becomes a service::Principal in the peer's tenant whose permissions are its allow list:
// store -> study.write, find -> study.query, move/get -> image.read. service/ authorizes it like
// any other principal.
#pragma once

#include <string>

#include "service/request_context.h"
#include "store/peer_registry.h"

namespace arca::dimse {

struct ConnectionFacts {
  std::string calling_ae;  // trailing spaces removed
  std::string address;     // numeric source address
  store::PeerTransport transport = store::PeerTransport::kPlain;
  std::string certificate_sha256;  // lower-case hex; empty when no client certificate
};

enum class Admission {
  kAdmitted,
  kUnknownPeer,  // reject: calling AE title not recognized (permanent)
  kUnavailable,  // reject: the registry could not be read (transient)
};

struct AdmissionResult {
  Admission admission = Admission::kUnknownPeer;
  store::Peer peer;
  service::Principal principal;
  std::string reason;  // why a peer was refused, for the log (PHI-free)
};

AdmissionResult admit_peer(store::PeerDirectory& peers, const ConnectionFacts& facts);

// Permissions granted by a peer's allow list.
std::set<Permission> peer_permissions(const store::Peer& peer);

// Does `host` (IP literal or name) designate `address`? Names are resolved.
bool host_matches(const std::string& host, const std::string& address);

}  // namespace arca::dimse
