// Internal to dimse/ (DCMTK types): turns a PreparedConnection into a DCMTK association.
//
// DCMTK can only adopt a socket it did not accept itself through its process-wide
// dcmExternalSocketHandle. The acceptor sets it, lets ASC_receiveAssociation adopt the socket
// through a transport layer of ours that hands DCMTK a connection replaying the A-ASSOCIATE-RQ
// already read (and, for TLS, the session already established), and clears it again, all under
// one process-wide mutex. Because the request is in memory, that section never waits on the
// network. DCMTK's reverse DNS lookup is switched off (dimse_init) so it does not either.
// Thread-safety: receive() is thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include "dimse/connection_setup.h"

struct T_ASC_Network;
struct T_ASC_Association;

namespace arca::dimse {

class PrefetchLayer;

// Owns a DCMTK association: drops and destroys it when going out of scope.
class AssociationHandle {
 public:
  explicit AssociationHandle(T_ASC_Association* assoc) : assoc_(assoc) {}
  ~AssociationHandle();
  AssociationHandle(AssociationHandle&& other) noexcept : assoc_(other.assoc_) {
    other.assoc_ = nullptr;
  }
  AssociationHandle& operator=(AssociationHandle&&) = delete;
  T_ASC_Association* get() const { return assoc_; }

 private:
  T_ASC_Association* assoc_;
};

class AssociationAcceptor {
 public:
  static Result<std::unique_ptr<AssociationAcceptor>> create(std::chrono::seconds acse_timeout);
  AssociationAcceptor(T_ASC_Network* network, std::unique_ptr<PrefetchLayer> layer);
  ~AssociationAcceptor();
  AssociationAcceptor(const AssociationAcceptor&) = delete;
  AssociationAcceptor& operator=(const AssociationAcceptor&) = delete;

  // Takes the connection (its socket is closed by DCMTK from now on). `max_pdu` is the largest
  // PDU Arca accepts (4096..131072).
  Result<AssociationHandle> receive(PreparedConnection connection, std::uint32_t max_pdu);

 private:
  T_ASC_Network* network_;
  std::unique_ptr<PrefetchLayer> layer_;
};

}  // namespace arca::dimse
