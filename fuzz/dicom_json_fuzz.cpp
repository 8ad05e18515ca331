// Fuzz target: STOW-RS application/dicom+json bodies. The input is a DICOM JSON array; every
// BulkDataURI resolves to a small fixed native value, so bulk data paths are reached too. Each
// data set that builds must be a Part-10 object ingest would parse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dicom/json_dataset.h"
#include "dicom/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const arca::Bytes kBulk(64, 0x5A);
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto resolve = [](std::string_view uri) -> std::optional<arca::dicom::BulkValue> {
    if (uri == "missing")
      return std::nullopt;
    return arca::dicom::BulkValue{kBulk, "application/octet-stream"};
  };
  auto built = arca::dicom::part10_from_dicom_json(json, resolve);
  if (!built.ok())
    return 0;
  for (const auto& instance : *built) {
    if (instance.ok())
      (void)arca::dicom::parse_part10(instance->part10);
  }
  return 0;
}
