// Internal to dimse/: the C-FIND identifier <-> domain Query translation (PS3.4 C.4.1, C.6),
// kept free of DCMTK types so it is unit-tested directly. Keys are (group << 16 | element)
// tags with UTF-8 values (the adapter converts the identifier's character set first).
//
// Rules:
//  - QueryRetrieveLevel must be PATIENT (Patient Root only), STUDY, SERIES or IMAGE.
//  - A key with a value becomes a matcher (domain::parse_matcher: single value, UID list,
//    wildcard, range; empty or "*" is universal) when its attribute is at the query level or
//    above. Keys below the query level are not allowed in an identifier (PS3.4 C.4.1.1.3.1);
//    rather than refuse the whole query they are ignored for matching and answered empty.
//  - Every key of the identifier is a return key; keys Arca does not index are answered empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/query.h"

namespace arca::dimse {

enum class QueryModel { kPatientRoot, kStudyRoot };

struct FindKey {
  std::uint32_t tag = 0;
  std::string value;
};

struct FindRequest {
  Query query;
  std::string level;                       // as sent, e.g. "STUDY"
  std::vector<std::uint32_t> return_keys;  // in identifier order, without (0008,0005)/(0008,0052)
};

inline constexpr std::uint32_t kSpecificCharacterSet = 0x00080005;
inline constexpr std::uint32_t kQueryRetrieveLevel = 0x00080052;
inline constexpr std::uint32_t kRetrieveAeTitle = 0x00080054;

// kInvalidArgument for a missing or unknown level, a level the model lacks, or a malformed
// matching value.
Result<FindRequest> parse_find_identifier(QueryModel model, const std::vector<FindKey>& keys);

// The value to answer for `tag` in one result row; empty when Arca does not index it or the
// key is below the query level. RetrieveAETitle is the caller's to fill.
std::string answer_value(std::uint32_t tag, const QueryRow& row, QueryLevel level);

}  // namespace arca::dimse
