// The transfer syntaxes Arca accepts for storage (PS3.5 §10 and Annex A), uncompressed first:
// as an SCP it takes the first one a peer proposes from this list; as an SCU (C-GET from a
// remote PACS) it proposes them in this order. Internal to src/dimse (DCMTK UID constants).
#pragma once

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcuid.h>

#include <array>

namespace arca::dimse {

inline constexpr std::array<const char*, 13> kStorageSyntaxes{
    UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
    UID_BigEndianExplicitTransferSyntax,    UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_JPEGProcess1TransferSyntax,         UID_JPEGProcess2_4TransferSyntax,
    UID_JPEGProcess14TransferSyntax,        UID_JPEGProcess14SV1TransferSyntax,
    UID_JPEGLSLosslessTransferSyntax,       UID_JPEGLSLossyTransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
    UID_RLELosslessTransferSyntax,
};

}  // namespace arca::dimse
