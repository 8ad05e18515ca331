// `arca peer add|list|remove`: the DICOM peers allowed to associate with this archive
// (store/peer_registry.h). Run by the local operator on the archive's own files.
#pragma once

#include <iosfwd>
#include <string>

#include "app/archive.h"

namespace arca::app {

struct PeerCommand {
  enum class Action { kAdd, kList, kRemove };
  Action action = Action::kList;
  std::string ae_title;
  std::string host;
  int port = 104;
  std::string tenant = "default";
  std::string allow;  // comma-separated: store,find,move,get
  bool tls = false;
  std::string certificate_fingerprint;  // SHA-256 hex, colons allowed
  bool json = false;
};

// Exit code 0, 1 on failure, 2 on a malformed --allow or fingerprint.
int run_peer(Archive& archive, const PeerCommand& command, std::ostream& out, std::ostream& err);

}  // namespace arca::app
