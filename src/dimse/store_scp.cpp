// C-STORE SCP: the data set is received into memory exactly as sent (no parse, no re-encode),
// wrapped into a Part-10 object and handed to the ingest service: the same write protocol as
// `arca import`. While it arrives it is also fed into an ingest stream once its first bytes name
// the patient, so encryption and the disk overlap the transfer (service/ingest_arrival.h).
// Status by error code (core's dimse_status): success, duplicate = success, conflict, invalid
// object (with the reason in Error Comment), out of resources.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcostrma.h>

#include <algorithm>
#include <functional>

#include "dimse/part10.h"
#include "dimse/scp_context.h"
#include "service/ingest_arrival.h"

namespace arca::dimse {
namespace {

// Collects what DCMTK writes into memory after `prefix`, refusing beyond a size limit (of what
// it writes), and shows what it has so far to `arrived` after each piece.
class MemoryConsumer final : public DcmConsumer {
 public:
  MemoryConsumer(std::size_t limit, Bytes prefix, std::function<void(const Bytes&)> arrived)
      : limit_(limit + prefix.size()), bytes_(std::move(prefix)), arrived_(std::move(arrived)) {}
  OFBool good() const override { return status_.good(); }
  OFCondition status() const override { return status_; }
  OFBool isFlushed() const override { return OFTrue; }
  offile_off_t avail() const override {
    return static_cast<offile_off_t>(limit_ > bytes_.size() ? limit_ - bytes_.size() : 0);
  }
  offile_off_t write(const void* buf, offile_off_t len) override {
    auto n = static_cast<std::size_t>(len);
    if (bytes_.size() + n > limit_) {
      status_ = EC_MemoryExhausted;
      return 0;
    }
    const auto* p = static_cast<const std::uint8_t*>(buf);
    bytes_.insert(bytes_.end(), p, p + n);
    arrived_(bytes_);
    return len;
  }
  void flush() override {}
  Bytes& bytes() { return bytes_; }
  bool overflowed() const { return status_.bad(); }

 private:
  std::size_t limit_;
  Bytes bytes_;
  std::function<void(const Bytes&)> arrived_;
  OFCondition status_ = EC_Normal;
};

class MemoryOutputStream final : public DcmOutputStream {
 public:
  MemoryOutputStream(std::size_t limit, Bytes prefix, std::function<void(const Bytes&)> arrived)
      : DcmOutputStream(&consumer_), consumer_(limit, std::move(prefix), std::move(arrived)) {}
  MemoryConsumer& consumer() { return consumer_; }

 private:
  MemoryConsumer consumer_;
};

// Extra room beyond the last object's size before the buffer has to grow, and the largest
// guess (a 2 GB object once does not make every later buffer start at 2 GB).
constexpr std::size_t kReceiveSlack = 64 * 1024;
constexpr std::size_t kMaxGuess = 64 * 1024 * 1024;

T_DIMSE_C_StoreRSP response_for(const T_DIMSE_C_StoreRQ& request, std::uint16_t status) {
  T_DIMSE_C_StoreRSP rsp{};
  rsp.MessageIDBeingRespondedTo = request.MessageID;
  OFStandard::strlcpy(rsp.AffectedSOPClassUID, request.AffectedSOPClassUID,
                      sizeof(rsp.AffectedSOPClassUID));
  OFStandard::strlcpy(rsp.AffectedSOPInstanceUID, request.AffectedSOPInstanceUID,
                      sizeof(rsp.AffectedSOPInstanceUID));
  rsp.DataSetType = DIMSE_DATASET_NULL;
  rsp.DimseStatus = status;
  rsp.opts = O_STORE_AFFECTEDSOPCLASSUID | O_STORE_AFFECTEDSOPINSTANCEUID;
  return rsp;
}

}  // namespace

OFCondition handle_store(ScpContext& ctx, T_ASC_PresentationContextID pcid,
                         T_DIMSE_C_StoreRQ& request) {
  // The Part-10 object is built in place: its file meta information first (the request names
  // the instance, the presentation context its transfer syntax), then the data set as received,
  // with room for one as large as the last one on this association, so nothing is copied twice.
  FileMeta meta{request.AffectedSOPClassUID, request.AffectedSOPInstanceUID,
                accepted_transfer_syntax(ctx.assoc, pcid)};
  service::IngestArrival arrival(ctx.ingest, ctx.request);
  MemoryOutputStream stream(
      ctx.max_object_bytes,
      part10_prefix(meta, std::min(ctx.last_object_bytes, kMaxGuess) + kReceiveSlack),
      [&arrival](const Bytes& bytes) { arrival.arrived(bytes); });
  T_ASC_PresentationContextID data_pcid = pcid;
  OFCondition cond = DIMSE_receiveDataSetInFile(ctx.assoc, DIMSE_NONBLOCKING,
                                                static_cast<int>(ctx.dimse_timeout.count()),
                                                &data_pcid, &stream, nullptr, nullptr);
  if (cond.bad())
    return cond;  // the association is unusable; the caller aborts it
  Bytes& part10 = stream.consumer().bytes();
  if (data_pcid != pcid) {  // a data set on another context than its command: its syntax rules
    const std::size_t header = part10_prefix(meta).size();
    meta.transfer_syntax_uid = accepted_transfer_syntax(ctx.assoc, data_pcid);
    part10 = make_part10(meta, ByteView(part10).subspan(header));
    arrival.give_up();  // it was fed the object under the other syntax's meta information
  }
  ctx.last_object_bytes = part10.size();
  auto stored = ctx.ingest.store(ctx.request, part10, arrival.take());

  DcmDataset detail;
  std::uint16_t status = STATUS_Success;
  if (!stored.ok()) {
    status = dimse_status(stored.error().code);
    detail.putAndInsertString(DCM_ErrorComment, error_comment(stored.error()).c_str());
    ctx.logger.info("C-STORE from " + ctx.calling_ae + " refused: " + stored.error().to_string());
  }
  T_DIMSE_C_StoreRSP rsp = response_for(request, status);
  return DIMSE_sendStoreResponse(ctx.assoc, pcid, &request, &rsp, stored.ok() ? nullptr : &detail);
}

std::string accepted_transfer_syntax(T_ASC_Association* assoc, T_ASC_PresentationContextID pcid) {
  T_ASC_PresentationContext pc;
  if (ASC_findAcceptedPresentationContext(assoc->params, pcid, &pc).bad())
    return {};
  return pc.acceptedTransferSyntax;
}

std::string error_comment(const Error& error) {
  std::string text =
      error.message.empty() ? std::string(error_code_text(error.code)) : error.message;
  for (char& c : text) {
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20)
      c = ' ';
  }
  return text.substr(0, 64);
}

}  // namespace arca::dimse
