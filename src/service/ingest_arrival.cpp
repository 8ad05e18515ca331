#include "service/ingest_arrival.h"

#include "dicom/parse.h"

namespace arca::service {
namespace {

// How far into an object its patient is looked for before it is stored without streaming.
constexpr std::size_t kPatientWithin = 1024 * 1024;

}  // namespace

IngestArrival::IngestArrival(IngestService& ingest, const RequestContext& ctx)
    : ingest_(ingest), ctx_(ctx), arriving_(ingest.arriving()) {}

void IngestArrival::arrived(const Bytes& so_far) {
  if (given_up_)
    return;
  if (stream_ == nullptr && !begin(so_far))
    return;
  if (!stream_->write(ByteView(so_far).subspan(fed_)).ok())
    return give_up();
  fed_ = so_far.size();
}

void IngestArrival::give_up() {
  given_up_ = true;
  stream_.reset();
}

bool IngestArrival::begin(const Bytes& so_far) {
  if (so_far.size() > kPatientWithin || !ingest_.stream_welcome()) {
    give_up();
    return false;
  }
  auto patient = dicom::patient_of_prefix(so_far);
  if (!patient)
    return false;
  auto begun = ingest_.begin_stream(ctx_, *patient);
  if (!begun.ok()) {
    give_up();
    return false;
  }
  stream_ = std::move(begun).value();
  return true;
}

}  // namespace arca::service
