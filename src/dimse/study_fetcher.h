// `arca retrieve`: Arca as C-GET SCU, pulling a study from another archive (migration from an
// old PACS). Arca associates with the configured peer (its host and port; any peer of the
// operator's tenant), asks for the study at STUDY level in the Study Root model, and stores every
// instance the peer sends back on that association through the ingest service, exactly as a
// C-STORE from the peer would be stored (same write protocol, same statuses back to the peer).
// Arca proposes the long list of storage SOP classes with uncompressed syntaxes first, so peers
// usually send explicit little endian; compressed syntaxes are accepted when a peer prefers them.
// No DCMTK type appears here. Thread-safety: fetch_study may run on several threads at once.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/logger.h"
#include "dimse/tls_client_files.h"
#include "service/ingest_service.h"
#include "service/query_service.h"
#include "service/retrieve_service.h"
#include "store/peer_registry.h"

namespace arca::dimse {

struct FetchRequest {
  StudyUid study;
  std::string source_ae;
  std::string own_ae = "ARCA";  // Arca's calling AE title
  std::chrono::seconds timeout{60};
  std::optional<TlsClientFiles> tls;  // to reach TLS peers (which need a pinned fingerprint)
  std::size_t max_object_bytes = std::size_t{2} << 30;
};

struct FetchReport {
  std::size_t completed = 0;  // as the peer counted its sub-operations
  std::size_t failed = 0;
  std::size_t warning = 0;
  std::uint16_t status = 0;  // the peer's final C-GET status
};

struct FetchDeps {
  service::IngestService& ingest;
  service::QueryService& query;
  service::RetrieveService& retrieve;
  store::PeerDirectory& peers;
  Logger& logger;
};

// kNotFound for a peer that is not configured in ctx's tenant, kUnavailable when it cannot be
// reached or refuses; otherwise the peer's counts and final status.
Result<FetchReport> fetch_study(FetchDeps deps, const service::RequestContext& ctx,
                                const FetchRequest& request);

}  // namespace arca::dimse
