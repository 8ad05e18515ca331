// Reading an object Arca already stored (it passed parse_part10 at ingest) into DCMTK's model,
// for the views that need more than the index: metadata, frames, rendering, re-encoding.
// Internal to src/dicom (it exposes DCMTK types): other folders use the functions built on it.
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcfilefo.h>

#include <memory>
#include <new>

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

}  // namespace arca::dicom::detail
