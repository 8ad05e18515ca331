#include "dimse/peer_admission.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

namespace arca::dimse {
namespace {

// Canonical text of an IP address literal, or nullopt if `s` is not one.
std::optional<std::string> canonical_ip(const std::string& s) {
  unsigned char buf[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    inet_ntop(AF_INET, buf, out, sizeof(out));
    return std::string(out);
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    inet_ntop(AF_INET6, buf, out, sizeof(out));
    return std::string(out);
  }
  return std::nullopt;
}

}  // namespace

bool host_matches(const std::string& host, const std::string& address) {
  auto want = canonical_ip(address);
  if (!want)
    return false;
  if (auto ip = canonical_ip(host))
    return *ip == *want;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0)
    return false;
  bool match = false;
  for (addrinfo* a = found; a != nullptr && !match; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
    inet_ntop(a->ai_family, raw, text, sizeof(text));
    match = canonical_ip(text) == want;
  }
  freeaddrinfo(found);
  return match;
}

std::set<Permission> peer_permissions(const store::Peer& peer) {
  std::set<Permission> out;
  for (store::PeerOperation op : peer.allowed) {
    switch (op) {
      case store::PeerOperation::kStore:
        out.insert(Permission::kStudyWrite);
        break;
      case store::PeerOperation::kFind:
        out.insert(Permission::kStudyQuery);
        break;
      case store::PeerOperation::kMove:
      case store::PeerOperation::kGet:
        out.insert(Permission::kImageRead);
        break;
      case store::PeerOperation::kReceive:
        break;  // a property of the peer (it accepts C-STOREs), not a request it may make
    }
  }
  return out;
}

AdmissionResult admit_peer(store::PeerDirectory& peers, const ConnectionFacts& facts) {
  AdmissionResult out;
  auto found = peers.find_peer(facts.calling_ae);
  if (!found.ok()) {
    out.admission = Admission::kUnavailable;
    out.reason = "peer registry unavailable: " + found.error().to_string();
    return out;
  }
  if (!found->has_value()) {
    auto open = peers.open_storage_tenant();
    if (!open.ok()) {
      out.admission = Admission::kUnavailable;
      out.reason = "peer registry unavailable: " + open.error().to_string();
      return out;
    }
    if (!open->has_value()) {
      out.reason = "unknown calling AE title";
      return out;
    }
    // Open storage: an unconfigured modality may store into that tenant, and do nothing else.
    out.admission = Admission::kAdmitted;
    out.peer.ae_title = facts.calling_ae;
    out.peer.host = facts.address;
    out.peer.tenant = **open;
    out.peer.allowed = {store::PeerOperation::kStore};
    out.principal.kind = service::Principal::Kind::kDimsePeer;
    out.principal.id = "open:" + facts.calling_ae;
    out.principal.tenant = **open;
    out.principal.permissions = {Permission::kStudyWrite};
    return out;
  }
  const store::Peer& peer = **found;
  if (!host_matches(peer.host, facts.address)) {
    out.reason = "calling AE title connected from an address other than its host";
    return out;
  }
  if (peer.transport == store::PeerTransport::kTls &&
      facts.transport != store::PeerTransport::kTls) {
    out.reason = "peer must connect over TLS";
    return out;
  }
  if (!peer.certificate_fingerprint.empty() &&
      peer.certificate_fingerprint != facts.certificate_sha256) {
    out.reason = "client certificate does not match the peer's pinned fingerprint";
    return out;
  }
  out.admission = Admission::kAdmitted;
  out.peer = peer;
  out.principal.kind = service::Principal::Kind::kDimsePeer;
  out.principal.id = "ae:" + peer.ae_title;
  out.principal.tenant = peer.tenant;
  out.principal.permissions = peer_permissions(peer);
  return out;
}

}  // namespace arca::dimse
