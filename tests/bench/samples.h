#ifndef KUAIBAO_TESTS_BENCH_SAMPLES_H_
#define KUAIBAO_TESTS_BENCH_SAMPLES_H_

#include <cstddef>
#include <vector>

#include "absl/time/time.h"

namespace kuaibao::bench {

// A set of measured durations, in milliseconds, with nearest-rank
// percentiles. Not thread-safe.
class Samples {
 public:
  void Add(absl::Duration d) { AddMs(absl::ToDoubleMilliseconds(d)); }
  void AddMs(double ms);

  size_t size() const { return ms_.size(); }
  bool empty() const { return ms_.empty(); }
  // `q` in [0, 1]: the smallest sample at or above that share of samples;
  // 0 when there are none.
  double Percentile(double q) const;
  double Max() const { return Percentile(1.0); }
  double Mean() const;

 private:
  // Sorted on demand.
  mutable std::vector<double> ms_;
  mutable bool sorted_ = true;
};

}  // namespace kuaibao::bench

#endif  // KUAIBAO_TESTS_BENCH_SAMPLES_H_
