#ifndef KUAIBAO_RELAY_REPORT_COUNTERS_H_
#define KUAIBAO_RELAY_REPORT_COUNTERS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace kuaibao {

// What came in since the node started, for its metrics: reports answered
// with a receipt, by the sender's region and role ("client" or "node"), and
// reports refused, by the refusal's code. Counts only go up. Labels are
// regions and status codes, so the number of counters stays bounded by the
// node's subtree.
//
// Thread-safe.
class ReportCounters {
 public:
  using Key = std::pair<std::string, std::string>;  // region, role

  void Received(const std::string& region, const std::string& role);
  void Refused(absl::StatusCode code);

  // Copies, in label order.
  std::map<Key, uint64_t> received() const;
  std::map<absl::StatusCode, uint64_t> refused() const;

 private:
  mutable absl::Mutex mu_;
  std::map<Key, uint64_t> received_ ABSL_GUARDED_BY(mu_);
  std::map<absl::StatusCode, uint64_t> refused_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_REPORT_COUNTERS_H_
