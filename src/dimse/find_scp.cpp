// C-FIND SCP (Patient Root and Study Root): the identifier becomes a domain Query
// (find_keys.h), the query service answers it, and each row goes back as a pending response
// carrying exactly the requested keys, in UTF-8 (Specific Character Set ISO_IR 192).
// DIMSE_findProvider checks for C-CANCEL between responses.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>

#include "dimse/find_keys.h"
#include "dimse/scp_context.h"

namespace arca::dimse {
namespace {

struct FindState {
  ScpContext& ctx;
  QueryModel model;
  FindRequest request;
  std::vector<QueryRow> rows;
  std::size_t next = 0;
};

std::vector<FindKey> identifier_keys(DcmDataset& identifier) {
  std::vector<FindKey> keys;
  for (unsigned long i = 0; i < identifier.card(); ++i) {
    DcmElement* e = identifier.getElement(i);
    const DcmTag& tag = e->getTag();
    if (tag.getGroup() == 0x0002)
      continue;
    FindKey key;
    key.tag = (std::uint32_t{tag.getGroup()} << 16) | tag.getElement();
    OFString value;
    if (e->ident() != EVR_SQ && e->getOFStringArray(value).good())
      key.value = value.c_str();
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<void> start_query(FindState& s, DcmDataset* identifier) {
  if (identifier == nullptr)
    return make_error(ErrorCode::kInvalidArgument, "C-FIND without an identifier");
  OFString charset;
  if (identifier->findAndGetOFStringArray(DCM_SpecificCharacterSet, charset).good() &&
      !charset.empty() && charset != "ISO_IR 192" && identifier->convertToUTF8().bad()) {
    return make_error(ErrorCode::kInvalidArgument, "unsupported Specific Character Set");
  }
  s.request = ARCA_TRY(parse_find_identifier(s.model, identifier_keys(*identifier)));
  s.rows = ARCA_TRY(s.ctx.query.query(s.ctx.request, s.request.query));
  return ok();
}

// One pending response's identifier. DIMSE_findProvider takes ownership and deletes it.
DcmDataset* make_answer(FindState& s, const QueryRow& row) {
  auto answer = std::make_unique<DcmDataset>();
  answer->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  answer->putAndInsertString(DCM_QueryRetrieveLevel, s.request.level.c_str());
  for (std::uint32_t tag : s.request.return_keys) {
    DcmTagKey key(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xffff));
    if (DcmTag(key).getEVR() == EVR_SQ) {
      answer->insertEmptyElement(key);
      continue;
    }
    std::string value =
        tag == kRetrieveAeTitle ? s.ctx.own_ae : answer_value(tag, row, s.request.query.level);
    answer->putAndInsertString(key, value.c_str());
  }
  return answer.release();
}

void find_callback(void* data, OFBool cancelled, T_DIMSE_C_FindRQ*, DcmDataset* identifier,
                   int response_count, T_DIMSE_C_FindRSP* response, DcmDataset** answer,
                   DcmDataset** detail) {
  auto& s = *static_cast<FindState*>(data);
  *answer = nullptr;
  *detail = nullptr;
  if (response_count == 1) {
    auto started = start_query(s, identifier);
    if (!started.ok()) {
      response->DimseStatus = started.error().code == ErrorCode::kInvalidArgument
                                  ? STATUS_FIND_Failed_UnableToProcess
                                  : dimse_status(started.error().code);
      // DIMSE_findProvider deletes the status detail after sending it (whatever its header says).
      auto failure = std::make_unique<DcmDataset>();
      failure->putAndInsertString(DCM_ErrorComment, error_comment(started.error()).c_str());
      *detail = failure.release();
      return;
    }
  }
  if (cancelled) {
    response->DimseStatus = STATUS_FIND_Cancel_MatchingTerminatedDueToCancelRequest;
    return;
  }
  if (s.next < s.rows.size()) {
    *answer = make_answer(s, s.rows[s.next++]);
    response->DimseStatus = STATUS_FIND_Pending_MatchesAreContinuing;
    return;
  }
  response->DimseStatus = STATUS_Success;
}

}  // namespace

OFCondition handle_find(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                        T_DIMSE_C_FindRQ& request) {
  QueryModel model =
      std::string(request.AffectedSOPClassUID) == UID_FINDPatientRootQueryRetrieveInformationModel
          ? QueryModel::kPatientRoot
          : QueryModel::kStudyRoot;
  FindState state{ctx, model, {}, {}, 0};
  return DIMSE_findProvider(ctx.assoc, pcid, &request, &find_callback, &state, DIMSE_NONBLOCKING,
                            static_cast<int>(ctx.dimse_timeout.count()));
}

}  // namespace arca::dimse
