// Internal to dimse/: serving one association from its A-ASSOCIATE-RQ to its release: admit
// the peer (peer_admission.h) or reject it with the standard reason, negotiate presentation
// contexts, then answer C-ECHO, C-STORE, C-FIND, C-MOVE and C-GET until the peer releases, aborts,
// or stays silent longer than the DIMSE timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/logger.h"
#include "dimse/association_acceptor.h"
#include "dimse/tls_client_files.h"
#include "service/ingest_service.h"
#include "service/query_service.h"
#include "service/retrieve_service.h"
#include "store/peer_registry.h"

namespace arca::dimse {

struct AssociationSettings {
  std::string aet;
  std::chrono::seconds dimse_timeout{60};
  std::size_t max_object_bytes = std::size_t{2} << 30;
  std::optional<TlsClientFiles> tls_client;  // the listener's certificate, for C-MOVE over TLS
};

struct AssociationDeps {
  service::IngestService& ingest;
  service::QueryService& query;
  service::RetrieveService& retrieve;
  store::PeerDirectory& peers;
  Logger& logger;
};

struct ConnectionOrigin {
  std::string address;  // numeric
  int port = 0;
  store::PeerTransport transport = store::PeerTransport::kPlain;
  std::string certificate_sha256;
  std::string request_id;
};

void serve_association(AssociationHandle assoc, const ConnectionOrigin& origin,
                       const AssociationSettings& settings, const AssociationDeps& deps);

}  // namespace arca::dimse
