#include "dimse/instance_sender.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "dicom/web_views.h"

namespace arca::dimse {
namespace {

constexpr std::size_t kMaxContexts = 128;  // presentation context ids are odd, 1..255

// The whole object, read straight into one buffer of its recorded size (no regrowing copies),
// then to the source's end, where a VerifiedSource completes its check.
Result<Bytes> read_recorded(ByteSource& source, std::uint64_t size) {
  Bytes out(static_cast<std::size_t>(size));
  if (ARCA_TRY(read_full(source, MutableByteView(out))) != out.size())
    return make_error(ErrorCode::kIntegrity, "stored object shorter than recorded");
  std::uint8_t more = 0;
  if (ARCA_TRY(source.read(MutableByteView(&more, 1))) != 0)
    return make_error(ErrorCode::kIntegrity, "stored object longer than recorded");
  return out;
}

Result<std::unique_ptr<DcmFileFormat>> load(ByteView part10) {
  DcmInputBufferStream in;
  in.setBuffer(part10.data(), static_cast<offile_off_t>(part10.size()));
  in.setEos();
  auto file = std::make_unique<DcmFileFormat>();
  file->transferInit();
  OFCondition cond = file->read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file->transferEnd();
  if (cond.bad())
    return make_error(ErrorCode::kInvalidDicom, std::string("stored object: ") + cond.text());
  return file;
}

// The presentation context to send `record` on and its transfer syntax: the stored syntax if
// accepted, else any context accepted for the SOP class.
Result<std::pair<T_ASC_PresentationContextID, std::string>> choose_context(
    T_ASC_Association* assoc, const store::StoredInstance& record) {
  const std::string& sop_class = record.attributes.instance.sop_class_uid.str();
  const std::string& stored = record.attributes.instance.transfer_syntax.str();
  // DCMTK falls back to another accepted context of the SOP class when the stored syntax was
  // not accepted; the context's own accepted syntax says which one it chose.
  T_ASC_PresentationContextID pcid =
      ASC_findAcceptedPresentationContextID(assoc, sop_class.c_str(), stored.c_str());
  if (pcid == 0)
    pcid = ASC_findAcceptedPresentationContextID(assoc, sop_class.c_str());
  T_ASC_PresentationContext pc;
  if (pcid == 0 || ASC_findAcceptedPresentationContext(assoc->params, pcid, &pc).bad())
    return make_error(ErrorCode::kUnsupported, "peer accepted no context for the SOP class");
  return std::make_pair(pcid, std::string(pc.acceptedTransferSyntax));
}

Result<void> convert(DcmDataset& dataset, const std::string& target) {
  E_TransferSyntax xfer = DcmXfer(target.c_str()).getXfer();
  if (xfer == EXS_Unknown)
    return make_error(ErrorCode::kUnsupportedTransferSyntax, "unknown transfer syntax");
  if (dataset.chooseRepresentation(xfer, nullptr).bad() || !dataset.canWriteXfer(xfer))
    return make_error(ErrorCode::kUnsupportedTransferSyntax,
                      "cannot convert to the peer's transfer syntax " + target);
  // DIMSE checks the data set's original syntax before sending: make the converted one it.
  dataset.removeAllButCurrentRepresentations();
  dataset.updateOriginalXfer();
  return ok();
}

T_DIMSE_C_StoreRQ store_request(const SubStoreTarget& target, const store::StoredInstance& rec) {
  T_DIMSE_C_StoreRQ rq{};
  rq.MessageID = target.assoc->nextMsgID++;
  OFStandard::strlcpy(rq.AffectedSOPClassUID, rec.attributes.instance.sop_class_uid.str().c_str(),
                      sizeof(rq.AffectedSOPClassUID));
  OFStandard::strlcpy(rq.AffectedSOPInstanceUID,
                      rec.attributes.instance.sop_instance_uid.str().c_str(),
                      sizeof(rq.AffectedSOPInstanceUID));
  rq.DataSetType = DIMSE_DATASET_PRESENT;
  rq.Priority = DIMSE_PRIORITY_MEDIUM;
  if (!target.originator.ae_title.empty()) {
    rq.opts = O_STORE_MOVEORIGINATORAETITLE | O_STORE_MOVEORIGINATORID;
    OFStandard::strlcpy(rq.MoveOriginatorApplicationEntityTitle, target.originator.ae_title.c_str(),
                        sizeof(rq.MoveOriginatorApplicationEntityTitle));
    rq.MoveOriginatorID = target.originator.message_id;
  }
  return rq;
}

bool is_warning(std::uint16_t status) {
  return status == 0x0001 || (status & 0xf000) == 0xb000;
}

}  // namespace

bool store_succeeded(std::uint16_t status) {
  return status == STATUS_Success || is_warning(status);
}

Result<std::uint16_t> send_instance(const SubStoreTarget& target,
                                    const service::RetrieveItem& item) {
  auto [pcid, syntax] = ARCA_TRY(choose_context(target.assoc, item.record));
  Bytes part10 = ARCA_TRY(read_recorded(item.source, item.record.size));
  const std::string& stored = item.record.attributes.instance.transfer_syntax.str();
  // A syntax DCMTK does not know (HTJ2K, the only one ingest admits) has no DCMTK codec:
  // src/dicom decodes it to Explicit VR Little Endian first, and DCMTK converts from there.
  if (syntax != stored && DcmXfer(stored.c_str()).getXfer() == EXS_Unknown)
    part10 = ARCA_TRY(dicom::to_explicit_little_endian(part10));
  auto file = ARCA_TRY(load(part10));
  part10 = Bytes();
  DcmDataset& dataset = *file->getDataset();
  if (syntax != stored)
    ARCA_TRY(convert(dataset, syntax));
  T_DIMSE_C_StoreRQ rq = store_request(target, item.record);
  T_DIMSE_C_StoreRSP rsp{};
  DcmDataset* detail_raw = nullptr;
  OFCondition cond =
      DIMSE_storeUser(target.assoc, pcid, &rq, nullptr, &dataset, nullptr, nullptr, DIMSE_BLOCKING,
                      static_cast<int>(target.timeout.count()), &rsp, &detail_raw);
  std::unique_ptr<DcmDataset> detail(detail_raw);
  if (cond.bad())
    return make_error(ErrorCode::kUnavailable, std::string("C-STORE: ") + cond.text());
  return rsp.DimseStatus;
}

void tally(SubOperationCounts& counts, const service::RetrieveItem& item,
           const Result<std::uint16_t>& sent) {
  counts.remaining = item.remaining;
  if (sent.ok() && *sent == STATUS_Success) {
    ++counts.completed;
  } else if (sent.ok() && is_warning(*sent)) {
    ++counts.warning;
  } else {
    ++counts.failed;
    counts.failed_uids.push_back(item.record.attributes.instance.sop_instance_uid.str());
  }
}

void tally_unopened(SubOperationCounts& counts, const service::ExportReport& report) {
  for (const auto& failure : report.failures) {
    const std::string& uid = failure.instance.str();
    if (failure.error.code == ErrorCode::kCancelled ||
        std::find(counts.failed_uids.begin(), counts.failed_uids.end(), uid) !=
            counts.failed_uids.end())
      continue;
    ++counts.failed;
    counts.failed_uids.push_back(uid);
  }
}

namespace {

void propose(T_ASC_Parameters* params, const std::vector<store::StoredInstance>& instances) {
  std::map<std::string, std::set<std::string>> syntaxes;  // SOP class -> stored syntaxes
  for (const auto& i : instances)
    syntaxes[i.attributes.instance.sop_class_uid.str()].insert(
        i.attributes.instance.transfer_syntax.str());
  const char* uncompressed[] = {UID_LittleEndianExplicitTransferSyntax,
                                UID_LittleEndianImplicitTransferSyntax};
  T_ASC_PresentationContextID id = 1;
  for (const auto& [sop_class, stored] : syntaxes) {
    for (const std::string& ts : stored) {
      if (ts == uncompressed[0] || ts == uncompressed[1] || id / 2 >= kMaxContexts)
        continue;
      const char* one[] = {ts.c_str()};
      ASC_addPresentationContext(params, id, sop_class.c_str(), one, 1);
      id += 2;
    }
    if (id / 2 >= kMaxContexts)
      break;
    ASC_addPresentationContext(params, id, sop_class.c_str(), uncompressed, 2);
    id += 2;
  }
}

}  // namespace

Result<RequestedAssociation> request_association(
    const store::Peer& peer, const Requestor& me,
    const std::vector<store::StoredInstance>& instances) {
  return open_association(peer, me, [&](T_ASC_Parameters* params) { propose(params, instances); });
}

}  // namespace arca::dimse
