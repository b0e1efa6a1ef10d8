#ifndef KUAIBAO_TESTS_BENCH_PROCESS_SAMPLE_H_
#define KUAIBAO_TESTS_BENCH_PROCESS_SAMPLE_H_

#include <sys/types.h>

#include "absl/status/statusor.h"

namespace kuaibao::bench {

// What the kernel says a process has used so far.
struct ProcessSample {
  // User plus system CPU time (/proc/<pid>/stat utime + stime).
  double cpu_seconds = 0;
  // Resident memory (/proc/<pid>/status VmRSS), and the part of it that is
  // the process's own (RssAnon; the rest is shared library and file pages).
  double rss_mib = 0;
  double rss_anon_mib = 0;
  // The highest resident memory since the process started (VmHWM).
  double rss_peak_mib = 0;
};

// Reads /proc for `pid` (0 = this process). NOT_FOUND when it is gone.
absl::StatusOr<ProcessSample> SampleProcess(pid_t pid);

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_PROCESS_SAMPLE_H_
