// Fuzz target: DICOM query values (C-FIND identifiers and QIDO parameters) turned into matchers
// and matched against a fixed set of stored values.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/query.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  for (auto attribute :
       {arca::QueryAttribute::kPatientName, arca::QueryAttribute::kStudyDate,
        arca::QueryAttribute::kStudyUid, arca::QueryAttribute::kModalitiesInStudy}) {
    auto parsed = arca::parse_matcher(attribute, value);
    if (!parsed.matcher)
      continue;
    for (std::string_view stored : {"", "DOE^JOHN", "20240131", "1.2.3", "CT\\SR", "*?"}) {
      (void)arca::matches(*parsed.matcher, stored);
    }
  }
  return 0;
}
