#ifndef KUAIBAO_TESTS_BENCH_LATENCY_PARTS_H_
#define KUAIBAO_TESTS_BENCH_LATENCY_PARTS_H_

#include <string>

#include "absl/time/time.h"
#include "relay/report_types.h"
#include "tests/bench/bench_report.h"
#include "tests/bench/samples.h"

namespace kuaibao::bench {

// Where reports' time goes on the way to the province, read from their hop
// records as the province's child holds them; each part is summed over the
// hops where it occurs, and reported as a median. Not thread-safe.
class LatencyParts {
 public:
  // `timeline`: every hop up to the province's child, whose hand-off to the
  // province carries the province's receipt; `sent` by the client,
  // `durable` when the child recorded the province's receipt.
  void Add(const StoredReport& timeline, absl::Time sent, absl::Time durable);
  // Details <scenario>.part.*.
  void Report(const std::string& scenario, BenchReport* report) const;

 private:
  Samples intake_, check_, queue_, transfer_, last_;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_LATENCY_PARTS_H_
