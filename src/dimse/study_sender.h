// `arca send`: Arca as C-STORE SCU. Sends a study to a configured peer marked `receive`
// (service::retrieve_destination) over an association Arca requests from the peer's host and
// port; each instance goes in its stored transfer syntax or, if the peer does not accept it,
// decoded to one it does (dimse/instance_sender.h). Reading is RetrieveService::plan/deliver:
// image.read is required and the send is audited as a retrieve.
// No DCMTK type appears here. Thread-safety: send_study may run on several threads at once.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dimse/tls_client_files.h"
#include "service/retrieve_service.h"
#include "store/peer_registry.h"

namespace arca::dimse {

struct SendRequest {
  StudyUid study;
  std::string destination_ae;
  std::string own_ae = "ARCA";  // Arca's calling AE title
  std::chrono::seconds timeout{60};
  std::optional<TlsClientFiles> tls;  // to reach TLS peers (which need a pinned fingerprint)
};

struct SendReport {
  std::size_t completed = 0;
  std::size_t warning = 0;
  std::vector<std::string> failed;  // SOP Instance UIDs
};

struct SendDeps {
  service::RetrieveService& retrieve;
  store::PeerDirectory& peers;
};

// kNotFound for an unknown destination or an empty study, kUnavailable when the peer cannot be
// reached, kPermissionDenied without image.read. Per-instance failures are in the report.
Result<SendReport> send_study(SendDeps deps, const service::RequestContext& ctx,
                              const SendRequest& request);

}  // namespace arca::dimse
