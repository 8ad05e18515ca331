// Internal to dimse/ (DCMTK types): what the C-STORE, C-FIND, C-MOVE and C-GET handlers of one
// association share. The handlers translate DIMSE to service calls and back; every decision (may
// this peer store, see this study) is service/'s.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <chrono>
#include <string>

#include "core/logger.h"
#include "dimse/tls_client_files.h"
#include "service/ingest_service.h"
#include "service/query_service.h"
#include "service/retrieve_service.h"
#include "store/peer_registry.h"

namespace arca::dimse {

struct ScpContext {
  T_ASC_Association* assoc = nullptr;
  service::RequestContext request;  // the admitted peer as principal
  std::string calling_ae;
  std::string own_ae;
  std::chrono::seconds dimse_timeout{60};
  std::size_t max_object_bytes = std::size_t{2} << 30;
  service::IngestService& ingest;
  service::QueryService& query;
  service::RetrieveService& retrieve;
  store::PeerDirectory& peers;  // C-MOVE destinations
  Logger& logger;
  const TlsClientFiles* tls_client = nullptr;  // reaching TLS destinations
  std::size_t last_object_bytes = 0;  // the last C-STORE's object: the next buffer's first guess
};

OFCondition handle_store(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                         T_DIMSE_C_StoreRQ& request);
OFCondition handle_find(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                        T_DIMSE_C_FindRQ& request);
OFCondition handle_move(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                        T_DIMSE_C_MoveRQ& request);
OFCondition handle_get(ScpContext& ctx, T_ASC_PresentationContextID pcid, T_DIMSE_C_GetRQ& request);

// The transfer syntax accepted for a presentation context ("" if none).
std::string accepted_transfer_syntax(T_ASC_Association* assoc, T_ASC_PresentationContextID pcid);

// An Error Comment (0000,0902) for a failure status: LO, at most 64 characters.
std::string error_comment(const Error& error);

}  // namespace arca::dimse
