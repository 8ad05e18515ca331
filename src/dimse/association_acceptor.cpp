#include "dimse/association_acceptor.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dcmlayer.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmtls/tlstrans.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "dimse/coalescing_connection.h"

namespace arca::dimse {
namespace {

// Guards DCMTK's process-wide dcmExternalSocketHandle (see the header); a DCMTK global, so
// the lock guarding it is process-wide too.
std::mutex& handover_mutex() {
  static std::mutex mu;
  return mu;
}

constexpr DcmNativeSocketType kNoSocket = -1;

// A connection that first replays the bytes Arca already read (the A-ASSOCIATE-RQ), then
// forwards to the real TCP or TLS connection. The handshake, if any, is already done.
class PrefetchedConnection final : public DcmTransportConnection {
 public:
  PrefetchedConnection(int fd, std::unique_ptr<DcmTransportConnection> inner, Bytes prefix)
      : DcmTransportConnection(fd), inner_(std::move(inner)), prefix_(std::move(prefix)) {}

  OFCondition serverSideHandshake() override { return EC_Normal; }
  OFCondition clientSideHandshake() override { return EC_IllegalCall; }
  OFCondition renegotiate(const char* suite) override { return inner_->renegotiate(suite); }
  ssize_t read(void* buf, size_t nbyte) override {
    if (pos_ < prefix_.size()) {
      std::size_t n = std::min(nbyte, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, n);
      pos_ += n;
      return static_cast<ssize_t>(n);
    }
    return inner_->read(buf, nbyte);
  }
  ssize_t write(void* buf, size_t nbyte) override { return inner_->write(buf, nbyte); }
  void close() override { inner_->close(); }
  void closeTransportConnection() override { inner_->closeTransportConnection(); }
  unsigned long getPeerCertificateLength() override { return inner_->getPeerCertificateLength(); }
  unsigned long getPeerCertificate(void* buf, unsigned long len) override {
    return inner_->getPeerCertificate(buf, len);
  }
  OFBool networkDataAvailable(int timeout) override {
    return pos_ < prefix_.size() ? OFTrue : inner_->networkDataAvailable(timeout);
  }
  OFBool isTransparentConnection() override {
    return pos_ >= prefix_.size() && inner_->isTransparentConnection();
  }
  OFString& dumpConnectionParameters(OFString& str) override {
    return inner_->dumpConnectionParameters(str);
  }

 private:
  std::unique_ptr<DcmTransportConnection> inner_;
  Bytes prefix_;
  std::size_t pos_ = 0;
};

}  // namespace

// Hands DCMTK the connection armed for the socket it is adopting, and nothing else.
class PrefetchLayer final : public DcmTransportLayer {
 public:
  DcmTransportConnection* createConnection(DcmNativeSocketType fd, OFBool) override {
    if (!pending_ || fd != pending_fd_)
      return nullptr;
    return pending_.release();
  }
  void arm(int fd, std::unique_ptr<DcmTransportConnection> c) {
    pending_fd_ = fd;
    pending_ = std::move(c);
  }
  void disarm() { pending_.reset(); }

 private:
  int pending_fd_ = -1;
  std::unique_ptr<DcmTransportConnection> pending_;
};

AssociationHandle::~AssociationHandle() {
  if (assoc_ != nullptr) {
    ASC_dropSCPAssociation(assoc_);
    ASC_destroyAssociation(&assoc_);
  }
}

Result<std::unique_ptr<AssociationAcceptor>> AssociationAcceptor::create(
    std::chrono::seconds acse_timeout) {
  std::lock_guard lock(handover_mutex());
  // With an external socket set, DCMTK creates no listening socket of its own: Arca listens.
  dcmExternalSocketHandle.set(STDIN_FILENO);
  T_ASC_Network* network = nullptr;
  OFCondition cond =
      ASC_initializeNetwork(NET_ACCEPTOR, 0, static_cast<int>(acse_timeout.count()), &network);
  dcmExternalSocketHandle.set(kNoSocket);
  if (cond.bad())
    return make_error(ErrorCode::kInternal, std::string("DICOM network: ") + cond.text());
  auto layer = std::make_unique<PrefetchLayer>();
  cond = ASC_setTransportLayer(network, layer.get(), 0);
  if (cond.bad()) {
    ASC_dropNetwork(&network);
    return make_error(ErrorCode::kInternal, std::string("DICOM transport: ") + cond.text());
  }
  return std::make_unique<AssociationAcceptor>(network, std::move(layer));
}

AssociationAcceptor::AssociationAcceptor(T_ASC_Network* network,
                                         std::unique_ptr<PrefetchLayer> layer)
    : network_(network), layer_(std::move(layer)) {}

AssociationAcceptor::~AssociationAcceptor() {
  ASC_dropNetwork(&network_);
}

Result<AssociationHandle> AssociationAcceptor::receive(PreparedConnection c,
                                                       std::uint32_t max_pdu) {
  const bool plain = !c.ssl;
  std::unique_ptr<DcmTransportConnection> inner;
  if (c.ssl)
    inner = std::make_unique<DcmTLSConnection>(c.fd, c.ssl.release());
  else
    inner = std::make_unique<DcmTCPConnection>(c.fd);
  int fd = c.fd;
  // Coalescing outside: a PDU header goes out with its data (C-GET sends instances back here).
  auto conn = std::make_unique<CoalescingConnection>(
      fd, std::make_unique<PrefetchedConnection>(fd, std::move(inner), std::move(c.associate_rq)),
      plain);

  T_ASC_Association* assoc = nullptr;
  OFCondition cond;
  {
    std::lock_guard lock(handover_mutex());
    layer_->arm(fd, std::move(conn));
    dcmExternalSocketHandle.set(fd);
    cond = ASC_receiveAssociation(network_, &assoc, static_cast<long>(max_pdu));
    dcmExternalSocketHandle.set(kNoSocket);
    layer_->disarm();
  }
  AssociationHandle handle(assoc);
  if (cond.bad())
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("malformed association request: ") + cond.text());
  return handle;
}

}  // namespace arca::dimse
