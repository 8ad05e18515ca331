#include "app/process_limits.h"

#include <malloc.h>
#include <sys/resource.h>

namespace arca::app {

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
      limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_cur);
}

void return_large_buffers_to_the_system() {
  // Fixed (not adaptive) threshold: allocations of 4 MiB and more are mmap()ed and unmapped
  // when freed. A typical instance (~0.5 MB) stays below it, in memory kept for reuse: fixing
  // the threshold also stops glibc raising the trim threshold with it, and at its 128 KiB
  // default every freed instance buffer would be handed back and faulted in again (+0.25 ms of
  // system time per stored instance, bench/ingest.py).
  (void)::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  (void)::mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace arca::app
