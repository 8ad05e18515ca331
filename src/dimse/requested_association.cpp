#include "dimse/requested_association.h"

#include <dcmtk/dcmtls/tlslayer.h>

#include "crypto/hash.h"
#include "dimse/coalescing_connection.h"

namespace arca::dimse {
namespace {

Result<std::unique_ptr<DcmTLSTransportLayer>> make_client_tls(const store::Peer& peer,
                                                              const TlsClientFiles* files) {
  if (files == nullptr || peer.certificate_fingerprint.empty())
    return make_error(ErrorCode::kUnsupported,
                      "TLS peer " + peer.ae_title + " needs a pinned certificate fingerprint");
  auto tls = std::make_unique<DcmTLSTransportLayer>(NET_REQUESTOR, nullptr, OFTrue);
  auto fail = [](const std::string& what, const OFCondition& c) {
    return make_error(ErrorCode::kInvalidArgument, "DICOM TLS " + what + ": " + c.text());
  };
  OFCondition c = tls->setTLSProfile(TSP_Profile_BCP195);
  if (c.good())
    c = tls->activateCipherSuites();
  if (c.bad())
    return fail("profile", c);
  c = tls->setPrivateKeyFile(files->private_key.c_str(), DCF_Filetype_PEM);
  if (c.bad())
    return fail("private key " + files->private_key.string(), c);
  c = tls->setCertificateFile(files->certificate.c_str(), DCF_Filetype_PEM);
  if (c.bad())
    return fail("certificate " + files->certificate.string(), c);
  // The peer is authenticated by its pinned fingerprint once the handshake is done.
  tls->setCertificateVerification(DCV_ignoreCertificate);
  return tls;
}

Result<void> check_pin(T_ASC_Association* assoc, const store::Peer& peer) {
  unsigned long length = ASC_getPeerCertificateLength(assoc);
  Bytes der(length);
  if (length == 0 || ASC_getPeerCertificate(assoc, der.data(), length) != length)
    return make_error(ErrorCode::kPermissionDenied, "peer presented no certificate");
  crypto::Sha256 hash;
  hash.update(der);
  if (to_hex(hash.finish()) != peer.certificate_fingerprint)
    return make_error(ErrorCode::kPermissionDenied,
                      "certificate of " + peer.ae_title + " does not match its pinned fingerprint");
  return ok();
}

}  // namespace

RequestedAssociation::RequestedAssociation(std::unique_ptr<DcmTLSTransportLayer> tls,
                                           T_ASC_Network* network, T_ASC_Association* assoc)
    : tls_(std::move(tls)),
      layer_(std::make_unique<CoalescingLayer>(tls_.get())),
      network_(network),
      assoc_(assoc) {}

RequestedAssociation::RequestedAssociation(RequestedAssociation&& other) noexcept
    : tls_(std::move(other.tls_)),
      layer_(std::move(other.layer_)),
      network_(other.network_),
      assoc_(other.assoc_) {
  other.network_ = nullptr;
  other.assoc_ = nullptr;
}

RequestedAssociation::~RequestedAssociation() {
  if (assoc_ != nullptr) {
    ASC_releaseAssociation(assoc_);
    ASC_destroyAssociation(&assoc_);
  }
  if (network_ != nullptr)
    ASC_dropNetwork(&network_);
}

Result<RequestedAssociation> open_association(
    const store::Peer& peer, const Requestor& me,
    const std::function<void(T_ASC_Parameters*)>& propose) {
  std::unique_ptr<DcmTLSTransportLayer> tls;
  if (peer.transport == store::PeerTransport::kTls)
    tls = ARCA_TRY(make_client_tls(peer, me.tls));
  T_ASC_Network* network = nullptr;
  OFCondition cond =
      ASC_initializeNetwork(NET_REQUESTOR, 0, static_cast<int>(me.timeout.count()), &network);
  if (cond.bad())
    return make_error(ErrorCode::kInternal, std::string("DICOM network: ") + cond.text());
  // Owns the network (and the TLS layer) from here; the association is added on success.
  RequestedAssociation out(std::move(tls), network, nullptr);
  if (ASC_setTransportLayer(network, out.layer(), 0).bad())
    return make_error(ErrorCode::kInternal, "DICOM transport layer");
  T_ASC_Parameters* params = nullptr;
  ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
  ASC_setAPTitles(params, me.own_ae.c_str(), peer.ae_title.c_str(), nullptr);
  std::string address = peer.host + ":" + std::to_string(peer.port);
  ASC_setPresentationAddresses(params, "localhost", address.c_str());
  if (peer.transport == store::PeerTransport::kTls)
    ASC_setTransportLayerType(params, OFTrue);
  propose(params);
  T_ASC_Association* assoc = nullptr;
  cond = ASC_requestAssociation(network, params, &assoc);
  if (assoc == nullptr) {
    ASC_destroyAssociationParameters(&params);
    return make_error(ErrorCode::kUnavailable, std::string("association: ") + cond.text());
  }
  if (cond.bad()) {
    ASC_destroyAssociation(&assoc);
    return make_error(ErrorCode::kUnavailable,
                      std::string("association refused by ") + peer.ae_title);
  }
  out.adopt(assoc);
  if (ASC_countAcceptedPresentationContexts(params) == 0)
    return make_error(ErrorCode::kUnavailable,
                      std::string("association refused by ") + peer.ae_title);
  if (peer.transport == store::PeerTransport::kTls)
    ARCA_TRY(check_pin(assoc, peer));
  return out;
}

}  // namespace arca::dimse
