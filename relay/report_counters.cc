#include "relay/report_counters.h"

namespace kuaibao {

void ReportCounters::Received(const std::string& region,
                              const std::string& role) {
  absl::MutexLock lock(&mu_);
  ++received_[{region, role}];
}

void ReportCounters::Refused(absl::StatusCode code) {
  absl::MutexLock lock(&mu_);
  ++refused_[code];
}

std::map<ReportCounters::Key, uint64_t> ReportCounters::received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

std::map<absl::StatusCode, uint64_t> ReportCounters::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

}  // namespace kuaibao
