#include "dicom/dcmtk_init.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

#include "dicom/j2k_decoder.h"

namespace arca::dicom {

void init_dcmtk() {
  // DCMTK's logger and dictionary are process globals of DCMTK's own; the once_flag only makes
  // this set-up idempotent.
  static std::once_flag once;
  std::call_once(once, [] {
    OFLog::configure(OFLogger::OFF_LOG_LEVEL);
    (void)dcmtk_dictionary_loaded();  // loads the dictionary now rather than on the first parse
    // Decoders for sending a compressed object to a peer that accepts only uncompressed ones.
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    register_j2k_decoder();
  });
}

bool dcmtk_dictionary_loaded() {
  return dcmDataDict.isDictionaryLoaded();
}

}  // namespace arca::dicom
