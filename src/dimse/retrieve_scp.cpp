// C-MOVE and C-GET SCP (Patient Root: PATIENT/STUDY/SERIES/IMAGE; Study Root: STUDY/SERIES/
// IMAGE). The identifier becomes a service::RetrieveScope; the retrieve service authorizes
// image.read and lists the instances (RetrieveService::plan), then hands each to a C-STORE
// sub-operation and audits (RetrieveService::deliver). C-MOVE sends to the destination peer over
// an association Arca requests; C-GET sends back over the requester's own association, on the
// storage contexts it proposed with the SCP role. A pending response follows each sub-operation;
// the final one is 0000 when all succeeded, B000 with the Failed SOP Instance UID List
// otherwise, A801 for a destination that is not a receiving peer of the requester's tenant.
#include <dcmtk/dcmdata/dcdeftag.h>

#include <functional>
#include <memory>
#include <string_view>

#include "dimse/instance_sender.h"
#include "dimse/scp_context.h"
#include "service/retrieve_destination.h"

namespace arca::dimse {
namespace {

constexpr std::uint16_t kPending = 0xff00;
constexpr std::uint16_t kWarning = 0xb000;
constexpr std::uint16_t kCancel = 0xfe00;
constexpr std::uint16_t kBadIdentifier = 0xa900;
constexpr std::uint16_t kUnableToProcess = 0xc000;

// Sends one C-MOVE/C-GET response: status, counts, and an Error Comment when `error` is set.
using Responder =
    std::function<OFCondition(std::uint16_t, const SubOperationCounts&, const Error*)>;

std::vector<std::string> uid_list(DcmDataset& identifier, const DcmTagKey& tag) {
  OFString value;
  std::vector<std::string> out;
  if (identifier.findAndGetOFStringArray(tag, value).bad())
    return out;
  std::string text = value.c_str();
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\\', start);
    std::string uid = text.substr(start, end == std::string::npos ? end : end - start);
    while (!uid.empty() && (uid.back() == ' ' || uid.back() == '\0'))
      uid.pop_back();
    if (!uid.empty())
      out.push_back(uid);
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

template <typename Uid>
std::vector<Uid> uids(DcmDataset& identifier, const DcmTagKey& tag) {
  std::vector<Uid> out;
  for (auto& s : uid_list(identifier, tag))
    out.emplace_back(std::move(s));
  return out;
}

bool is_patient_root(std::string_view sop_class) {
  return sop_class == UID_MOVEPatientRootQueryRetrieveInformationModel ||
         sop_class == UID_GETPatientRootQueryRetrieveInformationModel;
}

// PATIENT level's unique key: one Patient ID (LO: no backslash, no list), surrounding spaces
// insignificant.
std::vector<PatientId> patient_ids(DcmDataset& identifier) {
  OFString value;
  if (identifier.findAndGetOFStringArray(DCM_PatientID, value).bad())
    return {};
  std::string id = value.c_str();
  auto first = id.find_first_not_of(' ');
  if (first == std::string::npos)
    return {};
  id = id.substr(first, id.find_last_not_of(' ') - first + 1);
  return {PatientId(std::move(id))};
}

Result<service::RetrieveScope> parse_scope(DcmDataset* identifier, std::string_view sop_class) {
  if (identifier == nullptr)
    return make_error(ErrorCode::kInvalidArgument, "no identifier");
  OFString level;
  identifier->findAndGetOFString(DCM_QueryRetrieveLevel, level);
  service::RetrieveScope scope;
  scope.studies = uids<StudyUid>(*identifier, DCM_StudyInstanceUID);
  scope.series = uids<SeriesUid>(*identifier, DCM_SeriesInstanceUID);
  scope.instances = uids<InstanceUid>(*identifier, DCM_SOPInstanceUID);
  bool complete = false;
  if (level == "PATIENT" && is_patient_root(sop_class)) {
    scope.level = service::RetrieveLevel::kPatient;
    scope.patients = patient_ids(*identifier);
    complete = !scope.patients.empty();
  } else if (level == "STUDY") {
    scope.level = service::RetrieveLevel::kStudy;
    complete = !scope.studies.empty();
  } else if (level == "SERIES") {
    scope.level = service::RetrieveLevel::kSeries;
    complete = !scope.series.empty();
  } else if (level == "IMAGE") {
    scope.level = service::RetrieveLevel::kInstance;
    complete = !scope.instances.empty();
  }
  if (!complete)
    return make_error(ErrorCode::kInvalidArgument,
                      "Query/Retrieve Level PATIENT (Patient Root), STUDY, SERIES or IMAGE "
                      "with its unique keys");
  return scope;
}

Result<std::unique_ptr<DcmDataset>> receive_identifier(ScpContext& ctx,
                                                       T_ASC_PresentationContextID pcid) {
  DcmDataset* raw = nullptr;
  OFCondition cond = DIMSE_receiveDataSetInMemory(ctx.assoc, DIMSE_BLOCKING,
                                                  static_cast<int>(ctx.dimse_timeout.count()),
                                                  &pcid, &raw, nullptr, nullptr);
  std::unique_ptr<DcmDataset> identifier(raw);
  if (cond.bad())
    return make_error(ErrorCode::kUnavailable, cond.text());
  return identifier;
}

// What a C-MOVE/C-GET asks for: its identifier, read under its SOP class's information model.
struct RetrieveQuestion {
  DcmDataset* identifier = nullptr;
  std::string_view sop_class;
};

// Plans the retrieve, answering the refusal itself; nullopt when refused (or `sent` bad).
std::optional<service::RetrievePlan> plan_or_refuse(ScpContext& ctx, RetrieveQuestion question,
                                                    const Responder& respond, OFCondition& sent) {
  auto scope = parse_scope(question.identifier, question.sop_class);
  if (!scope.ok()) {
    sent = respond(kBadIdentifier, {}, &scope.error());
    return std::nullopt;
  }
  auto plan = ctx.retrieve.plan(ctx.request, *scope);
  if (!plan.ok()) {
    std::uint16_t status = plan.error().code == ErrorCode::kInvalidArgument
                               ? kBadIdentifier
                               : dimse_status(plan.error().code);
    sent = respond(status, {}, &plan.error());
    return std::nullopt;
  }
  return std::move(plan).take();
}

// Runs the sub-operations and sends the pending and final responses.
// The C-MOVE/C-GET being answered: where a C-CANCEL for it would arrive.
struct Invocation {
  T_ASC_PresentationContextID pcid = 0;
  DIC_US message_id = 0;
};

OFCondition run_sub_operations(ScpContext& ctx, const service::RetrievePlan& plan,
                               const SubStoreTarget& target, const Responder& respond,
                               Invocation invocation) {
  SubOperationCounts counts;
  counts.remaining = plan.instances().size();
  OFCondition link = EC_Normal;
  bool cancelled = false;
  auto report = ctx.retrieve.deliver(
      ctx.request, plan, [&](const service::RetrieveItem& item) -> Result<void> {
        cancelled = cancelled || DIMSE_checkForCancelRQ(ctx.assoc, invocation.pcid,
                                                        invocation.message_id) == EC_Normal;
        if (link.bad() || cancelled)
          return make_error(ErrorCode::kCancelled, "cancelled by the requester");
        auto sent = send_instance(target, item);
        tally(counts, item, sent);
        if (item.remaining > 0)
          link = respond(kPending, counts, nullptr);
        if (!sent.ok())
          return std::move(sent).error();
        if (!store_succeeded(*sent))
          return make_error(ErrorCode::kUnavailable, "destination refused the C-STORE");
        return ok();
      });
  tally_unopened(counts, report);
  if (link.bad())
    return link;
  if (cancelled)
    return respond(kCancel, counts, nullptr);
  counts.remaining = 0;
  bool clean = counts.failed == 0 && counts.warning == 0;
  return respond(clean ? STATUS_Success : kWarning, counts, nullptr);
}

// The identifier of a final response with failures: Failed SOP Instance UID List (0008,0058).
std::unique_ptr<DcmDataset> failed_list(std::uint16_t status, const SubOperationCounts& counts) {
  if ((status != kWarning && status != kCancel) || counts.failed_uids.empty())
    return nullptr;
  std::string joined;
  for (const auto& uid : counts.failed_uids)
    joined += (joined.empty() ? "" : "\\") + uid;
  auto out = std::make_unique<DcmDataset>();
  out->putAndInsertString(DCM_FailedSOPInstanceUIDList, joined.c_str());
  return out;
}

std::unique_ptr<DcmDataset> comment(const Error* error) {
  if (error == nullptr)
    return nullptr;
  auto out = std::make_unique<DcmDataset>();
  out->putAndInsertString(DCM_ErrorComment, error_comment(*error).c_str());
  return out;
}

template <typename Rsp>
void fill_counts(Rsp& rsp, std::uint16_t status, const SubOperationCounts& c, unsigned flags) {
  rsp.DimseStatus = status;
  rsp.NumberOfRemainingSubOperations = static_cast<DIC_US>(c.remaining);
  rsp.NumberOfCompletedSubOperations = static_cast<DIC_US>(c.completed);
  rsp.NumberOfFailedSubOperations = static_cast<DIC_US>(c.failed);
  rsp.NumberOfWarningSubOperations = static_cast<DIC_US>(c.warning);
  rsp.opts = flags;
}

}  // namespace

OFCondition handle_move(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                        T_DIMSE_C_MoveRQ& request) {
  auto identifier = receive_identifier(ctx, pcid);
  if (!identifier.ok())
    return DIMSE_RECEIVEFAILED;
  Responder respond = [&](std::uint16_t status, const SubOperationCounts& counts,
                          const Error* error) {
    T_DIMSE_C_MoveRSP rsp{};
    rsp.MessageIDBeingRespondedTo = request.MessageID;
    OFStandard::strlcpy(rsp.AffectedSOPClassUID, request.AffectedSOPClassUID,
                        sizeof(rsp.AffectedSOPClassUID));
    unsigned flags = O_MOVE_AFFECTEDSOPCLASSUID;
    if (status == kPending || status == kCancel)
      flags |= O_MOVE_NUMBEROFREMAININGSUBOPERATIONS;
    if (status == kPending || status == STATUS_Success || status == kWarning || status == kCancel)
      flags |= O_MOVE_NUMBEROFCOMPLETEDSUBOPERATIONS | O_MOVE_NUMBEROFFAILEDSUBOPERATIONS |
               O_MOVE_NUMBEROFWARNINGSUBOPERATIONS;
    fill_counts(rsp, status, counts, flags);
    auto failed = failed_list(status, counts);
    auto detail = comment(error);
    return DIMSE_sendMoveResponse(ctx.assoc, pcid, &request, &rsp, failed.get(), detail.get());
  };
  OFCondition sent = EC_Normal;
  auto plan = plan_or_refuse(ctx, {identifier->get(), request.AffectedSOPClassUID}, respond, sent);
  if (!plan)
    return sent;
  auto destination =
      service::retrieve_destination(ctx.peers, ctx.request, std::string(request.MoveDestination));
  if (!destination.ok())
    return respond(STATUS_MOVE_Refused_MoveDestinationUnknown, {}, &destination.error());
  if (plan->instances().empty())
    return respond(STATUS_Success, {}, nullptr);
  auto assoc = request_association(*destination, {ctx.own_ae, ctx.dimse_timeout, ctx.tls_client},
                                   plan->instances());
  if (!assoc.ok()) {
    ctx.logger.info("C-MOVE to " + destination->ae_title + ": " + assoc.error().to_string());
    return respond(kUnableToProcess, {}, &assoc.error());
  }
  SubStoreTarget target{assoc->get(), ctx.dimse_timeout, {ctx.calling_ae, request.MessageID}};
  return run_sub_operations(ctx, *plan, target, respond, {pcid, request.MessageID});
}

OFCondition handle_get(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                       T_DIMSE_C_GetRQ& request) {
  auto identifier = receive_identifier(ctx, pcid);
  if (!identifier.ok())
    return DIMSE_RECEIVEFAILED;
  Responder respond = [&](std::uint16_t status, const SubOperationCounts& counts,
                          const Error* error) {
    T_DIMSE_C_GetRSP rsp{};
    rsp.MessageIDBeingRespondedTo = request.MessageID;
    OFStandard::strlcpy(rsp.AffectedSOPClassUID, request.AffectedSOPClassUID,
                        sizeof(rsp.AffectedSOPClassUID));
    unsigned flags = O_GET_AFFECTEDSOPCLASSUID;
    if (status == kPending || status == kCancel)
      flags |= O_GET_NUMBEROFREMAININGSUBOPERATIONS;
    if (status == kPending || status == STATUS_Success || status == kWarning || status == kCancel)
      flags |= O_GET_NUMBEROFCOMPLETEDSUBOPERATIONS | O_GET_NUMBEROFFAILEDSUBOPERATIONS |
               O_GET_NUMBEROFWARNINGSUBOPERATIONS;
    fill_counts(rsp, status, counts, flags);
    auto failed = failed_list(status, counts);
    auto detail = comment(error);
    return DIMSE_sendGetResponse(ctx.assoc, pcid, &request, &rsp, failed.get(), detail.get());
  };
  OFCondition sent = EC_Normal;
  auto plan = plan_or_refuse(ctx, {identifier->get(), request.AffectedSOPClassUID}, respond, sent);
  if (!plan)
    return sent;
  SubStoreTarget target{ctx.assoc, ctx.dimse_timeout, {}};
  return run_sub_operations(ctx, *plan, target, respond, {pcid, request.MessageID});
}

}  // namespace arca::dimse
