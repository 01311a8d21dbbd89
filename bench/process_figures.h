#pragma once

#include <sys/types.h>

namespace tailor::bench {

// What /proc says of a process: utime + stime in seconds, VmHWM and VmRSS in KiB.
struct ProcessFigures {
  double cpu_s = 0;
  long peak_rss_kib = 0;
  long rss_kib = 0;
};

ProcessFigures process_figures(pid_t pid);

}  // namespace tailor::bench
