#include "tests/bench/samples.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kuaibao::bench {

void Samples::AddMs(double ms) {
  ms_.push_back(ms);
  sorted_ = false;
}

double Samples::Percentile(double q) const {
  if (ms_.empty()) return 0;
  if (!sorted_) {
    std::sort(ms_.begin(), ms_.end());
    sorted_ = true;
  }
  double rank = std::ceil(std::clamp(q, 0.0, 1.0) * ms_.size());
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return ms_[std::min(index, ms_.size() - 1)];
}

double Samples::Mean() const {
  if (ms_.empty()) return 0;
  return std::accumulate(ms_.begin(), ms_.end(), 0.0) / ms_.size();
}

}  // namespace kuaibao::bench
