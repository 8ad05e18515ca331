// Reading an object Arca already stored (it passed parse_part10 at ingest) into DCMTK's model,
// for the views that need more than the index: metadata, frames, rendering, re-encoding.
// Internal to src/dicom (it exposes DCMTK types): other folders use the functions built on it.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcfilefo.h>

#include <memory>
#include <new>
#include <optional>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom::detail {

// DCMTK may throw (std::out_of_range on some malformed items, std::bad_alloc) while reading or
// writing; no exception crosses the adapter (STYLE rule 2).
template <typename F>
auto guarded(F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kTooLarge, "object needs more memory than is available");
  } catch (...) {
    return make_error(ErrorCode::kInvalidDicom, "stored object could not be read");
  }
}

// The whole object in memory; kInvalidDicom if DCMTK cannot read it.
Result<std::unique_ptr<DcmFileFormat>> load_stored_object(ByteView part10);

// A stored object read from a prefix of its bytes up to (not into) Pixel Data.
struct PrefixRead {
  std::unique_ptr<DcmFileFormat> file;
  std::size_t stop = 0;     // input offset where DCMTK stopped (at or just after the header)
  bool input_left = false;  // bytes remain after the stop: the read ended at Pixel Data
};

// nullopt when the prefix ends before Pixel Data and is not the whole object (`complete`
// false): the caller reads a longer prefix and tries again.
Result<std::optional<PrefixRead>> read_until_pixel_data(ByteView prefix, bool complete);

// The object as Part-10 bytes in Explicit VR Little Endian (file meta completed by DCMTK from
// the data set); kInternal if DCMTK cannot write it.
Result<Bytes> write_explicit_little_endian(DcmFileFormat& file);

}  // namespace arca::dicom::detail
