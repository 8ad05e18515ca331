#include "dimse/association.h"

#include <array>
#include <set>

#include "dimse/peer_admission.h"
#include "dimse/scp_context.h"
#include "dimse/storage_syntaxes.h"

namespace arca::dimse {
namespace {

constexpr std::array<const char*, 2> kCommandSyntaxes{UID_LittleEndianExplicitTransferSyntax,
                                                      UID_LittleEndianImplicitTransferSyntax};

std::string trim(const char* s) {
  std::string out(s);
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  while (!out.empty() && out.front() == ' ')
    out.erase(out.begin());
  return out;
}

void reject(T_ASC_Association* assoc, T_ASC_RejectParametersResult result,
            T_ASC_RejectParametersReason reason) {
  T_ASC_RejectParameters rej{result, ASC_SOURCE_SERVICEUSER, reason};
  ASC_rejectAssociation(assoc, &rej);
}

// The peer's preferred (first proposed) transfer syntax among `supported`; nullptr if none.
// Following the peer's order keeps a compressed object in the syntax it was encoded in.
template <std::size_t N>
const char* pick(const T_ASC_PresentationContext& pc, const std::array<const char*, N>& supported) {
  for (int i = 0; i < pc.transferSyntaxCount; ++i) {
    for (const char* ts : supported) {
      if (std::string_view(pc.proposedTransferSyntaxes[i]) == ts)
        return ts;
    }
  }
  return nullptr;
}

bool is_command_sop_class(std::string_view as) {
  for (const char* uid :
       {UID_VerificationSOPClass, UID_FINDPatientRootQueryRetrieveInformationModel,
        UID_FINDStudyRootQueryRetrieveInformationModel,
        UID_MOVEPatientRootQueryRetrieveInformationModel,
        UID_MOVEStudyRootQueryRetrieveInformationModel,
        UID_GETPatientRootQueryRetrieveInformationModel,
        UID_GETStudyRootQueryRetrieveInformationModel}) {
    if (as == uid)
      return true;
  }
  return false;
}

// C-MOVE and C-GET both need image.read; which of the two a peer may use is its allow list, so
// the other one's contexts are refused at negotiation.
bool offered(std::string_view as, const std::set<store::PeerOperation>& allowed) {
  if (as == UID_MOVEPatientRootQueryRetrieveInformationModel ||
      as == UID_MOVEStudyRootQueryRetrieveInformationModel)
    return allowed.count(store::PeerOperation::kMove) != 0;
  if (as == UID_GETPatientRootQueryRetrieveInformationModel ||
      as == UID_GETStudyRootQueryRetrieveInformationModel)
    return allowed.count(store::PeerOperation::kGet) != 0;
  return true;
}

void negotiate(T_ASC_Parameters* params, const std::set<store::PeerOperation>& allowed) {
  int count = ASC_countPresentationContexts(params);
  for (int i = 0; i < count; ++i) {
    T_ASC_PresentationContext pc;
    if (ASC_getPresentationContext(params, i, &pc).bad())
      continue;
    std::string_view as = pc.abstractSyntax;
    const char* ts = nullptr;
    bool known = true;
    bool refused = false;
    T_ASC_SC_ROLE role = ASC_SC_ROLE_DEFAULT;
    if (is_command_sop_class(as)) {
      refused = !offered(as, allowed);
      ts = refused ? nullptr : pick(pc, kCommandSyntaxes);
    } else if (dcmIsaStorageSOPClassUID(pc.abstractSyntax, ESSC_All)) {
      ts = pick(pc, kStorageSyntaxes);
      // A C-GET requester proposes storage with itself as SCP, to receive the sub-operations.
      if (pc.proposedRole == ASC_SC_ROLE_SCP || pc.proposedRole == ASC_SC_ROLE_SCUSCP)
        role = pc.proposedRole;
    } else {
      known = false;
    }
    if (ts != nullptr) {
      ASC_acceptPresentationContext(params, pc.presentationContextID, ts, role);
    } else {
      ASC_refusePresentationContext(params, pc.presentationContextID,
                                    refused ? ASC_P_USERREJECTION
                                    : known ? ASC_P_TRANSFERSYNTAXESNOTSUPPORTED
                                            : ASC_P_ABSTRACTSYNTAXNOTSUPPORTED);
    }
  }
}

struct Admitted {
  service::RequestContext request;
  std::set<store::PeerOperation> allowed;
};

// Admits or rejects; returns the principal's context and allow list when admitted.
std::optional<Admitted> admit(T_ASC_Association* assoc, const ConnectionOrigin& origin,
                              const AssociationSettings& settings, const AssociationDeps& deps,
                              std::string& calling) {
  char calling_raw[65] = {};
  char called_raw[65] = {};
  ASC_getAPTitles(assoc->params, calling_raw, sizeof(calling_raw), called_raw, sizeof(called_raw),
                  nullptr, 0);
  calling = trim(calling_raw);
  if (trim(called_raw) != settings.aet) {
    deps.logger.info("DICOM association from " + origin.address + " rejected: called AE title");
    reject(assoc, ASC_RESULT_REJECTEDPERMANENT, ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED);
    return std::nullopt;
  }
  AdmissionResult admitted = admit_peer(
      deps.peers, {calling, origin.address, origin.transport, origin.certificate_sha256});
  if (admitted.admission != Admission::kAdmitted) {
    deps.logger.info("DICOM association from " + origin.address + " rejected: " + admitted.reason);
    if (admitted.admission == Admission::kUnavailable)
      reject(assoc, ASC_RESULT_REJECTEDTRANSIENT, ASC_REASON_SU_NOREASON);
    else
      reject(assoc, ASC_RESULT_REJECTEDPERMANENT, ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED);
    return std::nullopt;
  }
  return Admitted{service::RequestContext{admitted.principal,
                                          origin.address + ":" + std::to_string(origin.port),
                                          origin.request_id},
                  admitted.peer.allowed};
}

// Serves DIMSE commands until the association ends.
void command_loop(ScpContext& ctx) {
  for (;;) {
    T_ASC_PresentationContextID pcid = 0;
    T_DIMSE_Message msg{};
    OFCondition cond =
        DIMSE_receiveCommand(ctx.assoc, DIMSE_NONBLOCKING,
                             static_cast<int>(ctx.dimse_timeout.count()), &pcid, &msg, nullptr);
    if (cond == DUL_PEERREQUESTEDRELEASE) {
      ASC_acknowledgeRelease(ctx.assoc);
      return;
    }
    if (cond.good()) {
      switch (msg.CommandField) {
        case DIMSE_C_ECHO_RQ:
          cond = DIMSE_sendEchoResponse(ctx.assoc, pcid, &msg.msg.CEchoRQ, STATUS_Success, nullptr);
          break;
        case DIMSE_C_STORE_RQ:
          cond = handle_store(ctx, pcid, msg.msg.CStoreRQ);
          break;
        case DIMSE_C_FIND_RQ:
          cond = handle_find(ctx, pcid, msg.msg.CFindRQ);
          break;
        case DIMSE_C_MOVE_RQ:
          cond = handle_move(ctx, pcid, msg.msg.CMoveRQ);
          break;
        case DIMSE_C_GET_RQ:
          cond = handle_get(ctx, pcid, msg.msg.CGetRQ);
          break;
        default:
          cond = DIMSE_BADCOMMANDTYPE;
          break;
      }
    }
    if (cond.bad()) {
      if (cond != DUL_PEERABORTEDASSOCIATION)
        ASC_abortAssociation(ctx.assoc);
      return;
    }
  }
}

}  // namespace

void serve_association(AssociationHandle handle, const ConnectionOrigin& origin,
                       const AssociationSettings& settings, const AssociationDeps& deps) {
  T_ASC_Association* assoc = handle.get();
  std::string calling;
  auto admitted = admit(assoc, origin, settings, deps, calling);
  if (!admitted)
    return;
  ASC_setAPTitles(assoc->params, nullptr, nullptr, settings.aet.c_str());
  negotiate(assoc->params, admitted->allowed);
  if (ASC_acknowledgeAssociation(assoc).bad())
    return;
  ScpContext ctx{assoc,
                 std::move(admitted->request),
                 calling,
                 settings.aet,
                 settings.dimse_timeout,
                 settings.max_object_bytes,
                 deps.ingest,
                 deps.query,
                 deps.retrieve,
                 deps.peers,
                 deps.logger,
                 settings.tls_client ? &*settings.tls_client : nullptr};
  command_loop(ctx);
}

}  // namespace arca::dimse
