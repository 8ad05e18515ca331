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
  // when freed. A typical instance (~0.5 MB) stays below it.
  (void)::mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

}  // namespace arca::app
