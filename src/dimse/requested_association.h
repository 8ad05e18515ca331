// Internal to dimse/ (DCMTK types): an association Arca opens as requestor to a configured
// peer, at the peer's host and port. A peer marked TLS is reached only over DICOM TLS (BCP 195
// profile, Arca's own certificate presented) and only if it has a pinned certificate
// fingerprint, which the certificate it presents must match; there is no other trust anchor.
// Thread-safety: none; one association is used by one thread.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmnet/assoc.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "dimse/tls_client_files.h"
#include "store/peer_registry.h"

class DcmTLSTransportLayer;

namespace arca::dimse {

class CoalescingLayer;

// Released and destroyed with the object.
class RequestedAssociation {
 public:
  RequestedAssociation(std::unique_ptr<DcmTLSTransportLayer> tls, T_ASC_Network* network,
                       T_ASC_Association* assoc);
  RequestedAssociation(RequestedAssociation&& other) noexcept;
  RequestedAssociation& operator=(RequestedAssociation&&) = delete;
  ~RequestedAssociation();
  T_ASC_Association* get() const { return assoc_; }
  // What the network makes its connections with: coalescing (coalescing_connection.h), over
  // TLS for a TLS peer. Created by the constructor.
  CoalescingLayer* layer() const { return layer_.get(); }
  void adopt(T_ASC_Association* assoc) { assoc_ = assoc; }  // an established association

 private:
  std::unique_ptr<DcmTLSTransportLayer> tls_;  // outlives the network that uses it
  std::unique_ptr<CoalescingLayer> layer_;     // likewise
  T_ASC_Network* network_;
  T_ASC_Association* assoc_;
};

struct Requestor {
  std::string own_ae;
  std::chrono::seconds timeout{60};
  const TlsClientFiles* tls = nullptr;  // null: TLS peers cannot be reached
};

// Associates with `peer` proposing what `propose` adds. kUnavailable when the peer cannot be
// reached or accepts nothing; kUnsupported for a TLS peer without TLS files or pinned
// fingerprint; kPermissionDenied when its certificate does not match the pin.
Result<RequestedAssociation> open_association(
    const store::Peer& peer, const Requestor& me,
    const std::function<void(T_ASC_Parameters*)>& propose);

}  // namespace arca::dimse
