// Internal to dicomweb/: single-part binary bodies that http::ranged_response() can serve a byte
// range of. A stored object is read through its BlobReader, so a range decrypts only the
// segments it touches; the whole object is still checked against its index digest
// (service::VerifiedSource) when it is sent whole.
#pragma once

#include <memory>

#include "http/range.h"
#include "service/retrieve_service.h"

namespace arca::dicomweb {

// The object exactly as stored.
http::RangedBody stored_object_body(service::OpenedInstance opened);
// `length` bytes of the stored object from `offset` (a value in place, e.g. native Pixel Data).
http::RangedBody stored_slice_body(service::OpenedInstance opened, std::uint64_t offset,
                                   std::uint64_t length);
// Bytes made in memory (a transcoded object, an extracted value).
http::RangedBody memory_body(std::shared_ptr<const Bytes> bytes);

}  // namespace arca::dicomweb
