// Access to pydicom's test data (Debian package python3-pydicom) for the corpus tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/bytes.h"

namespace arca::dicom::testing {

// ARCA_PYDICOM_DATA, or where Debian's python3-pydicom installs its data files.
inline std::filesystem::path pydicom_data_dir() {
  if (const char* dir = std::getenv("ARCA_PYDICOM_DATA"))
    return dir;
  return "/usr/lib/python3/dist-packages/pydicom/data";
}

inline Bytes read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace arca::dicom::testing
