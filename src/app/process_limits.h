// Process limits the archive needs raised at start: every pack file of the blob store stays open
// (one descriptor per GiB stored, docs/adr/0015-pack-files.md), next to sockets and databases,
// so the soft limit on open files (often 1,024) is raised to the hard limit (systemd's default is
// 524,288), as servers with many files usually do.
#pragma once

#include <cstdint>

namespace arca::app {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force (0 if
// it cannot be read).
std::uint64_t raise_open_file_limit();

}  // namespace arca::app
