// Internal to dimse/ (DCMTK types): C-STORE sub-operations, for C-MOVE (over an association
// Arca requests from the destination), C-GET (over the requester's own association) and
// `arca send`. An instance goes out in its stored transfer syntax when the association accepted
// it for its SOP class; otherwise it is decoded (DCMTK's JPEG, JPEG-LS and RLE codecs, Arca's JPEG
// 2000 one, registered by dicom::init_dcmtk) into a syntax the peer accepted. Stored bytes are
// decrypted into memory only, never into a file. Thread-safety: none; one association is used by
// one thread.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "dimse/requested_association.h"
#include "service/retrieve_service.h"
#include "store/peer_registry.h"

namespace arca::dimse {

// Sub-operation tallies, as C-MOVE/C-GET responses report them.
struct SubOperationCounts {
  std::size_t remaining = 0;
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::size_t warning = 0;
  std::vector<std::string> failed_uids;
};

// Who asked for the sub-operation (C-MOVE only): sent as Move Originator AE Title and ID.
struct MoveOriginator {
  std::string ae_title;
  DIC_US message_id = 0;
};

struct SubStoreTarget {
  T_ASC_Association* assoc = nullptr;
  std::chrono::seconds timeout{60};
  MoveOriginator originator;  // empty AE title: not a C-MOVE
};

// Sends one instance and returns the peer's C-STORE status; an error when it could not be sent
// (no acceptable presentation context, undecodable, damaged, network failure).
Result<std::uint16_t> send_instance(const SubStoreTarget& target,
                                    const service::RetrieveItem& item);

// Success (0000) or a warning (0001, Bxxx): the instance was stored.
bool store_succeeded(std::uint16_t status);

// Adds the updated tallies for one sub-operation (`status` or `sent`'s error).
void tally(SubOperationCounts& counts, const service::RetrieveItem& item,
           const Result<std::uint16_t>& sent);

// Counts as failed the instances RetrieveService::deliver could not open (a damaged or missing
// stored object): they failed before any sub-operation began. `report` is deliver()'s.
void tally_unopened(SubOperationCounts& counts, const service::ExportReport& report);

// Associates with `peer` as `me`, proposing for each SOP class of `instances` its stored
// transfer syntaxes and explicit/implicit little endian (see requested_association.h).
Result<RequestedAssociation> request_association(
    const store::Peer& peer, const Requestor& me,
    const std::vector<store::StoredInstance>& instances);

}  // namespace arca::dimse
