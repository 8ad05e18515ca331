// Process settings made at start. Limits: every pack file of the blob store stays open
// (one descriptor per GiB stored, docs/adr/0015-pack-files.md), next to sockets and databases,
// so the soft limit on open files (often 1,024) is raised to the hard limit (systemd's default is
// 524,288), as servers with many files usually do.
#pragma once

#include <cstdint>

namespace arca::app {

// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force (0 if
// it cannot be read).
std::uint64_t raise_open_file_limit();

// Large buffers (a multi-frame object read whole, ADR 0004) go back to the system when freed:
// glibc would otherwise raise its mmap threshold to the largest size freed (up to 32 MiB) and
// keep such buffers in each worker thread's arena, so the resident memory of an import with
// many workers grows with workers × object size even when few objects are held at once.
void return_large_buffers_to_the_system();

}  // namespace arca::app
