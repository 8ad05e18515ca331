// Internal to src/dicom: extraction of IndexAttributes from a parsed DCMTK data set. Only a
// forward declaration of DCMTK's item type appears here; no DCMTK header is included.
#pragma once

#include <string>

#include "domain/instance_attributes.h"

class DcmItem;

namespace arca::dicom::detail {

// Fills every IndexAttributes field present at the top level of dataset, strings decoded to
// UTF-8 per its Specific Character Set. instance.transfer_syntax is left to the caller (it comes
// from the file meta information).
IndexAttributes extract_attributes(DcmItem& dataset);

// The trimmed value of a UI (or other ASCII) element; empty when absent.
std::string ascii_value(DcmItem& item, unsigned short group, unsigned short element);

}  // namespace arca::dicom::detail
