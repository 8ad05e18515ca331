// The one catalogue of error codes. Each code names the HTTP status and the DIMSE status an
// adapter answers with; adapters map by code, never by message text (STYLE rule 1).
// Messages are for people and logs: they must never carry PHI (names, patient ids, dates).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace arca {

// X(name, http status, DIMSE status, short description)
#define ARCA_ERROR_CODES(X)                                                         \
  X(kInvalidArgument, 400, 0xC000, "invalid argument")                              \
  X(kInvalidDicom, 400, 0xC000, "invalid DICOM object")                             \
  X(kUnsupportedTransferSyntax, 415, 0xC000, "unsupported transfer syntax")         \
  X(kUnsupported, 501, 0x0122, "not supported")                                     \
  X(kNotFound, 404, 0xC000, "not found")                                            \
  X(kAlreadyExists, 409, 0x0111, "already exists")                                  \
  X(kConflict, 409, 0x0111, "conflicts with a stored object")                       \
  X(kHierarchyConflict, 409, 0xC000, "contradicts the stored patient/study/series") \
  X(kUnauthenticated, 401, 0x0124, "authentication required")                       \
  X(kPermissionDenied, 403, 0x0124, "permission denied")                            \
  X(kIntegrity, 500, 0xC001, "integrity check failed")                              \
  X(kOutOfSpace, 507, 0xA700, "out of storage space")                               \
  X(kTooLarge, 413, 0xA700, "too large")                                            \
  X(kTimeout, 408, 0xC000, "timed out")                                             \
  X(kCancelled, 499, 0xFE00, "cancelled")                                           \
  X(kRateLimited, 429, 0xA700, "too many attempts")                                 \
  X(kUnavailable, 503, 0xA700, "temporarily unavailable")                           \
  X(kIo, 500, 0xC000, "input/output error")                                         \
  X(kCorruptIndex, 500, 0xC000, "index is damaged")                                 \
  X(kInternal, 500, 0x0110, "internal error")

enum class ErrorCode : std::uint8_t {
#define ARCA_ERROR_ENUM(name, http, dimse, text) name,
  ARCA_ERROR_CODES(ARCA_ERROR_ENUM)
#undef ARCA_ERROR_ENUM
};

// The HTTP status an HTTP adapter answers with for this code.
int http_status(ErrorCode code);
// The DIMSE status a DIMSE adapter answers with for this code.
std::uint16_t dimse_status(ErrorCode code);
// Stable machine name, e.g. "invalid_dicom"; used in JSON error bodies and audit records.
std::string_view error_code_name(ErrorCode code);
// Short human description of the code.
std::string_view error_code_text(ErrorCode code);

// A cheap error value: a code from the catalogue and a PHI-free message.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // "message" prefixed with context, e.g. Error{kIo,"disk full"}.context("writing blob").
  [[nodiscard]] Error context(std::string_view what) const;
  [[nodiscard]] std::string to_string() const;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace arca
