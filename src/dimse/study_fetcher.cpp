#include "dimse/study_fetcher.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <array>
#include <memory>

#include "dimse/instance_sender.h"
#include "dimse/scp_context.h"
#include "dimse/storage_syntaxes.h"

namespace arca::dimse {
namespace {

void propose(T_ASC_Parameters* params) {
  const char* command[] = {UID_LittleEndianExplicitTransferSyntax,
                           UID_LittleEndianImplicitTransferSyntax};
  ASC_addPresentationContext(params, 1, UID_GETStudyRootQueryRetrieveInformationModel, command, 2);
  std::array<const char*, kStorageSyntaxes.size()> syntaxes = kStorageSyntaxes;
  T_ASC_PresentationContextID id = 3;
  for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && id < 255; ++i, id += 2) {
    ASC_addPresentationContext(params, id, dcmLongSCUStorageSOPClassUIDs[i], syntaxes.data(),
                               static_cast<int>(syntaxes.size()), ASC_SC_ROLE_SCP);
  }
}

OFCondition send_get(T_ASC_Association* assoc, const StudyUid& study) {
  T_ASC_PresentationContextID pcid =
      ASC_findAcceptedPresentationContextID(assoc, UID_GETStudyRootQueryRetrieveInformationModel);
  if (pcid == 0)
    return DIMSE_NOVALIDPRESENTATIONCONTEXTID;
  T_DIMSE_Message msg{};
  msg.CommandField = DIMSE_C_GET_RQ;
  T_DIMSE_C_GetRQ& rq = msg.msg.CGetRQ;
  rq.MessageID = assoc->nextMsgID++;
  OFStandard::strlcpy(rq.AffectedSOPClassUID, UID_GETStudyRootQueryRetrieveInformationModel,
                      sizeof(rq.AffectedSOPClassUID));
  rq.Priority = DIMSE_PRIORITY_MEDIUM;
  rq.DataSetType = DIMSE_DATASET_PRESENT;
  DcmDataset identifier;
  identifier.putAndInsertString(DCM_QueryRetrieveLevel, "STUDY");
  identifier.putAndInsertString(DCM_StudyInstanceUID, study.str().c_str());
  return DIMSE_sendMessageUsingMemoryData(assoc, pcid, &msg, nullptr, &identifier, nullptr,
                                          nullptr);
}

// Reads and drops a data set that follows a C-GET response (e.g. a failed UID list).
OFCondition skip_dataset(ScpContext& ctx, T_ASC_PresentationContextID pcid) {
  DcmDataset* raw = nullptr;
  OFCondition cond = DIMSE_receiveDataSetInMemory(ctx.assoc, DIMSE_BLOCKING,
                                                  static_cast<int>(ctx.dimse_timeout.count()),
                                                  &pcid, &raw, nullptr, nullptr);
  std::unique_ptr<DcmDataset> dropped(raw);
  return cond;
}

// Serves the peer's C-STOREs until its final C-GET response.
Result<FetchReport> receive_study(ScpContext& ctx) {
  for (;;) {
    T_ASC_PresentationContextID pcid = 0;
    T_DIMSE_Message msg{};
    DcmDataset* detail_raw = nullptr;
    OFCondition cond =
        DIMSE_receiveCommand(ctx.assoc, DIMSE_BLOCKING, static_cast<int>(ctx.dimse_timeout.count()),
                             &pcid, &msg, &detail_raw);
    std::unique_ptr<DcmDataset> detail(detail_raw);
    if (cond.good() && msg.CommandField == DIMSE_C_STORE_RQ) {
      cond = handle_store(ctx, pcid, msg.msg.CStoreRQ);
    } else if (cond.good() && msg.CommandField == DIMSE_C_GET_RSP) {
      const T_DIMSE_C_GetRSP& rsp = msg.msg.CGetRSP;
      if (rsp.DataSetType != DIMSE_DATASET_NULL)
        cond = skip_dataset(ctx, pcid);
      if (cond.good() && rsp.DimseStatus != STATUS_Pending &&
          rsp.DimseStatus != STATUS_GET_Pending_SubOperationsAreContinuing) {
        return FetchReport{rsp.NumberOfCompletedSubOperations, rsp.NumberOfFailedSubOperations,
                           rsp.NumberOfWarningSubOperations, rsp.DimseStatus};
      }
    } else if (cond.good()) {
      cond = DIMSE_BADCOMMANDTYPE;
    }
    if (cond.bad())
      return make_error(ErrorCode::kUnavailable, std::string("C-GET: ") + cond.text());
  }
}

}  // namespace

Result<FetchReport> fetch_study(FetchDeps deps, const service::RequestContext& ctx,
                                const FetchRequest& request) {
  auto found = ARCA_TRY(deps.peers.find_peer(request.source_ae));
  if (!found || found->tenant != ctx.principal.tenant)
    return make_error(ErrorCode::kNotFound, "unknown source AE title");
  const TlsClientFiles* tls = request.tls ? &*request.tls : nullptr;
  auto assoc = ARCA_TRY(open_association(*found, {request.own_ae, request.timeout, tls}, propose));
  OFCondition sent = send_get(assoc.get(), request.study);
  if (sent.bad())
    return make_error(ErrorCode::kUnavailable, std::string("C-GET request: ") + sent.text());
  ScpContext ctx_scp{assoc.get(),     ctx,
                     found->ae_title, request.own_ae,
                     request.timeout, request.max_object_bytes,
                     deps.ingest,     deps.query,
                     deps.retrieve,   deps.peers,
                     deps.logger};
  return receive_study(ctx_scp);
}

}  // namespace arca::dimse
