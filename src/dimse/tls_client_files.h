// The certificate and key Arca presents when it opens a DICOM TLS association itself (C-MOVE
// sub-operations, `arca send`, `arca retrieve`): the same files as its DICOM TLS listener.
#pragma once

#include <filesystem>

namespace arca::dimse {

struct TlsClientFiles {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path private_key;  // PEM
};

}  // namespace arca::dimse
