// QIDO-RS (PS3.18 §10.6): query parameters -> the domain Query shared with C-FIND, and result
// rows -> the DICOM JSON model or the XML Native DICOM Model. Kept free of the HTTP server so it is
// unit-tested directly.
//
// Matching keys are PS3.6 keywords or eight hex digits ("PatientID", "00100020") from the shared
// table of domain/query_keys.h, at the query level or above; values follow DICOM matching
// (single value, '\' UID lists, '*'/'?' wildcards, "a-b" date/time ranges) via parse_matcher.
// A key Arca cannot match on is refused (400) rather than silently ignored, so a client never
// takes an unfiltered answer for a filtered one. `includefield` is a comma-separated list and/or
// repeated, "all" selects every attribute Arca returns at the level; unknown ones are ignored.
// `fuzzymatching` is accepted (Arca's person-name matching is already case-insensitive).
// `limit` is capped at kMaxResults; the handler asks for one row more to know when results were
// cut and then sends a Warning header.
// Arca extensions (docs/conformance.md): `orderby=-StudyDate,PatientName` sorts on the server
// (domain/query.h parse_order; dcm4chee's syntax), `includetotal=true` adds the number of all
// matching results as the X-Total-Count response header.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/query_keys.h"
#include "http/url.h"

namespace arca::dicomweb {

inline constexpr std::size_t kMaxResults = 10000;

// Which resource was searched: the level, and the study/series the path fixes.
struct QidoScope {
  QueryLevel level = QueryLevel::kStudy;
  std::optional<std::string> study;
  std::optional<std::string> series;
};

struct QidoRequest {
  Query query;                          // limit is the number of rows wanted
  std::vector<const QueryKey*> fields;  // attributes to return, in table order
  TotalCount total = TotalCount::kSkip;
};

Result<QidoRequest> parse_qido(const QidoScope& scope, const http::QueryParams& params);

// The application/dicom+json body for rows (an empty array for none).
std::string qido_json(const std::vector<QueryRow>& rows,
                      const std::vector<const QueryKey*>& fields);
// The same rows as application/dicom+xml documents, one per row.
std::vector<std::string> qido_xml(const std::vector<QueryRow>& rows,
                                  const std::vector<const QueryKey*>& fields);

}  // namespace arca::dicomweb
