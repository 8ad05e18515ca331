// The attributes a query can name and a query answer can return, shared by C-FIND (dimse/) and
// QIDO-RS (dicomweb/) so both speak the same table: the tag, the DICOM keyword, the VR, the
// level the attribute belongs to, the QueryAttribute it matches on (absent: return-only, such
// as the computed counts) and how to read its value from a QueryRow (UTF-8, DICOM string form,
// multiple values joined by '\'; empty when absent).
// Thread-safety: the table is immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/query.h"

namespace arca {

struct QueryKey {
  std::uint32_t tag;         // group << 16 | element
  std::string_view keyword;  // PS3.6 keyword, e.g. "PatientID"
  std::string_view vr;       // e.g. "LO"
  QueryLevel level;
  std::optional<QueryAttribute> attribute;  // matchable attribute; nullopt: return-only
  std::string (*read)(const QueryRow&);
};

std::span<const QueryKey> query_keys();
const QueryKey* find_query_key(std::uint32_t tag);
// By PS3.6 keyword (case-sensitive) or by eight hex digits ("00100020", either case).
const QueryKey* find_query_key(std::string_view keyword_or_tag);

}  // namespace arca
