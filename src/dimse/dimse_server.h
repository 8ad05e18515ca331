// DimseServer: Arca as a DICOM node (DESIGN §1, §3). It listens on a plain TCP port and,
// optionally, a DICOM TLS port, owns its accept loops and a bounded pool of worker threads
// (one association per worker, so a slow peer holds up only itself), and serves C-ECHO,
// C-STORE, C-FIND, C-MOVE and C-GET through the services. Every association is matched to a
// configured peer (store::PeerDirectory); unknown peers are rejected with "calling AE title not
// recognized", a wrong called AE title with "called AE title not recognized".
//
// TLS: TLS 1.2 or later with the BCP 195 cipher suites (DCMTK's TLS layer), the given server
// certificate and key; with a client CA, clients must present a certificate it signed.
// Timeouts: the association timeout bounds everything before the A-ASSOCIATE-AC (TLS handshake
// included); the DIMSE timeout bounds each wait for the peer afterwards.
//
// No DCMTK type appears here. One DimseServer per process (DCMTK's socket hand-over is
// process-wide; it is locked, so a second server is safe but serialised with the first).
// Thread-safety: start() once; stop() and the destructor from one thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/logger.h"
#include "core/result.h"
#include "service/ingest_service.h"
#include "service/query_service.h"
#include "service/retrieve_service.h"
#include "store/peer_registry.h"

namespace arca::dimse {

struct DimseTlsOptions {
  int port = 2762;                    // 0: an ephemeral port
  std::filesystem::path certificate;  // PEM
  std::filesystem::path private_key;  // PEM
  std::filesystem::path client_ca;    // PEM; empty: no client certificate required
};

struct DimseServerOptions {
  std::string aet = "ARCA";
  std::string bind = "0.0.0.0";
  int port = 11112;                    // 0: an ephemeral port
  std::optional<DimseTlsOptions> tls;  // nullopt: no TLS listener
  std::size_t max_associations = 32;   // worker threads
  std::size_t max_queued = 64;         // accepted connections waiting for a worker
  std::chrono::seconds association_timeout{30};
  std::chrono::seconds dimse_timeout{120};
  std::uint32_t max_pdu = 131072;  // 4096..131072 (DCMTK's largest)
  std::size_t max_object_bytes = std::size_t{2} << 30;
};

struct DimseServices {
  service::IngestService& ingest;
  service::QueryService& query;
  service::RetrieveService& retrieve;
  store::PeerDirectory& peers;
  Logger& logger;
  Random& random;  // request ids
};

class DimseServer {
 public:
  // Binds the listeners and starts serving. kUnavailable if a port cannot be bound,
  // kInvalidArgument for bad options or unusable TLS files.
  static Result<std::unique_ptr<DimseServer>> start(const DimseServerOptions& options,
                                                    DimseServices services);
  ~DimseServer();
  DimseServer(const DimseServer&) = delete;
  DimseServer& operator=(const DimseServer&) = delete;

  int port() const;
  int tls_port() const;  // 0 without TLS
  // Stops accepting, shuts down open associations and joins the workers.
  void stop();

  struct State;
  explicit DimseServer(std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> state_;
};

}  // namespace arca::dimse
