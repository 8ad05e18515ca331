// Internal to dimse/: wraps a data set received over the network into the Part-10 object that
// the ingest service stores (PS3.10 §7.1): preamble, "DICM", file meta information in explicit
// VR little endian, then the data set bytes exactly as the peer sent them (so what is stored,
// and later exported or retrieved, is bit for bit what the peer encoded).
// The wrapping is a pure function of the data set and its transfer syntax: it names no sender
// (Source AE Title is left out; the audit trail records who stored what), so the same data set
// sent twice, by any peer, is a duplicate rather than a conflict.
#pragma once

#include <string>

#include "core/bytes.h"

namespace arca::dimse {

// Arca's Implementation Class UID (PS3.7 D.3.3.2), a UUID-derived 2.25 UID.
inline constexpr std::string_view kImplementationClassUid =
    "2.25.95134207153213290414325405626012483175";
inline constexpr std::string_view kImplementationVersionName = "ARCA_010";

struct FileMeta {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string transfer_syntax_uid;
};

Bytes make_part10(const FileMeta& meta, ByteView dataset);

// Only the start of that object (preamble, "DICM", file meta information), with room reserved
// for a data set of `dataset_capacity` bytes to be appended: make_part10(meta, ds) equals
// part10_prefix(meta) followed by ds.
Bytes part10_prefix(const FileMeta& meta, std::size_t dataset_capacity = 0);

}  // namespace arca::dimse
