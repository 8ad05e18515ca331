#include "dimse/dimse_server.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmtls/tlslayer.h>
#include <unistd.h>

#include "dimse/association.h"
#include "dimse/association_pool.h"

namespace arca::dimse {
namespace {

Result<std::unique_ptr<DcmTLSTransportLayer>> make_tls(const DimseTlsOptions& o) {
  auto tls = std::make_unique<DcmTLSTransportLayer>(NET_ACCEPTOR, nullptr, OFTrue);
  auto fail = [](const std::string& what, const OFCondition& c) {
    return make_error(ErrorCode::kInvalidArgument, "DICOM TLS " + what + ": " + c.text());
  };
  OFCondition c = tls->setTLSProfile(TSP_Profile_BCP195);
  if (c.bad())
    return fail("profile", c);
  c = tls->activateCipherSuites();
  if (c.bad())
    return fail("cipher suites", c);
  c = tls->setPrivateKeyFile(o.private_key.c_str(), DCF_Filetype_PEM);
  if (c.bad())
    return fail("private key " + o.private_key.string(), c);
  c = tls->setCertificateFile(o.certificate.c_str(), DCF_Filetype_PEM);
  if (c.bad())
    return fail("certificate " + o.certificate.string(), c);
  if (!tls->checkPrivateKeyMatchesCertificate())
    return make_error(ErrorCode::kInvalidArgument, "DICOM TLS key does not match certificate");
  if (o.client_ca.empty()) {
    tls->setCertificateVerification(DCV_ignoreCertificate);
  } else {
    c = tls->addTrustedCertificateFile(o.client_ca.c_str(), DCF_Filetype_PEM);
    if (c.bad())
      return fail("client CA " + o.client_ca.string(), c);
    tls->setCertificateVerification(DCV_requireCertificate);
  }
  return tls;
}

}  // namespace

struct DimseServer::State {
  DimseServerOptions options;
  DimseServices services;
  std::unique_ptr<DcmTLSTransportLayer> tls;
  std::unique_ptr<AssociationAcceptor> acceptor;
  std::unique_ptr<AssociationPool> pool;
  std::unique_ptr<TcpListener> plain;
  std::unique_ptr<TcpListener> secure;

  State(const DimseServerOptions& o, DimseServices s) : options(o), services(s) {}

  void serve(const AcceptedSocket& socket, store::PeerTransport transport) {
    // DCMTK closes the descriptor it is given; the pool closes the original.
    int fd = ::dup(socket.fd);
    if (fd < 0)
      return;
    SetupOptions setup;
    setup.timeout = options.association_timeout;
    setup.tls = transport == store::PeerTransport::kTls ? tls->getNativeHandle() : nullptr;
    auto prepared = prepare_connection(fd, setup);
    if (!prepared.ok()) {
      services.logger.info("DICOM connection from " + socket.address +
                           " dropped: " + prepared.error().to_string());
      return;
    }
    ConnectionOrigin origin{socket.address, socket.port, transport,
                            prepared->peer_certificate_sha256, services.random.hex(8)};
    auto assoc = acceptor->receive(std::move(prepared).take(), options.max_pdu);
    if (!assoc.ok()) {
      services.logger.info("DICOM connection from " + socket.address + ": " +
                           assoc.error().to_string());
      return;
    }
    AssociationSettings settings{options.aet, options.dimse_timeout, options.max_object_bytes,
                                 std::nullopt};
    if (options.tls)
      settings.tls_client = TlsClientFiles{options.tls->certificate, options.tls->private_key};
    serve_association(
        std::move(assoc).take(), origin, settings,
        {services.ingest, services.query, services.retrieve, services.peers, services.logger});
  }
};

Result<std::unique_ptr<DimseServer>> DimseServer::start(const DimseServerOptions& options,
                                                        DimseServices services) {
  if (options.max_pdu < 4096 || options.max_pdu > 131072)
    return make_error(ErrorCode::kInvalidArgument, "max PDU must be between 4096 and 131072");
  if (options.max_associations < 1)
    return make_error(ErrorCode::kInvalidArgument, "need at least one association worker");
  // Reverse DNS inside DCMTK's socket hand-over could stall every association: numeric only.
  dcmDisableGethostbyaddr.set(OFTrue);
  auto state = std::make_unique<State>(options, services);
  if (options.tls)
    state->tls = ARCA_TRY(make_tls(*options.tls));
  state->acceptor = ARCA_TRY(AssociationAcceptor::create(options.association_timeout));
  state->plain = ARCA_TRY(TcpListener::open(options.bind, options.port));
  if (options.tls)
    state->secure = ARCA_TRY(TcpListener::open(options.bind, options.tls->port));
  State* s = state.get();
  state->pool = std::make_unique<AssociationPool>(
      options.max_associations, options.max_queued, [s](const AcceptedSocket& socket) {
        s->serve(socket, socket.tls ? store::PeerTransport::kTls : store::PeerTransport::kPlain);
      });
  state->plain->start([s](AcceptedSocket socket) { s->pool->submit(std::move(socket)); });
  if (state->secure) {
    state->secure->start([s](AcceptedSocket socket) {
      socket.tls = true;
      s->pool->submit(std::move(socket));
    });
  }
  return std::make_unique<DimseServer>(std::move(state));
}

DimseServer::DimseServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

DimseServer::~DimseServer() {
  stop();
}

int DimseServer::port() const {
  return state_->plain->port();
}

int DimseServer::tls_port() const {
  return state_->secure ? state_->secure->port() : 0;
}

void DimseServer::stop() {
  state_->plain->stop();
  if (state_->secure)
    state_->secure->stop();
  state_->pool->stop();
}

}  // namespace arca::dimse
