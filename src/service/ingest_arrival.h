// IngestArrival: an object a transport receives piece by piece (a C-STORE's data set), fed into
// an ingest stream (IngestService::begin_stream, docs/adr/0024) as soon as its first bytes name
// the patient (dicom::patient_of_prefix), so it is encrypted and on its way to the disk while
// the rest arrives. It counts as arriving for as long as it lives, and gives up quietly on any
// trouble (another store arriving or under way, no patient within the first 1 MiB, a refused or
// failed stream): IngestService::store then writes the whole object itself.
// Thread-safety: one per object, used by the thread that receives it.
#pragma once

#include <memory>

#include "core/bytes.h"
#include "service/ingest_service.h"

namespace arca::service {

class IngestArrival {
 public:
  IngestArrival(IngestService& ingest, const RequestContext& ctx);

  // Everything received so far (each call sees the bytes of the one before, and more).
  void arrived(const Bytes& so_far);
  // Stops streaming and drops what was streamed (e.g. the bytes will not be the object stored).
  void give_up();
  // The stream for IngestService::store(ctx, part10, stream); null if there is none.
  std::unique_ptr<IngestService::BlobStream> take() { return std::move(stream_); }

 private:
  bool begin(const Bytes& so_far);

  IngestService& ingest_;
  const RequestContext& ctx_;
  IngestService::Counted arriving_;
  std::unique_ptr<IngestService::BlobStream> stream_;
  std::size_t fed_ = 0;
  bool given_up_ = false;
};

}  // namespace arca::service
