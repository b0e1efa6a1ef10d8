#ifndef KUAIBAO_RELAY_ADMISSION_CONTROL_H_
#define KUAIBAO_RELAY_ADMISSION_CONTROL_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace kuaibao {

// Whether the node takes new reports, decided from how much disk its store
// uses and how much is left, so that it refuses loudly before the disk is
// full instead of failing writes. Reports already acknowledged are never
// affected: they stay, and receipts for them are still recorded (that is what
// the reserve keeps room for).
//
// Refuses when the store reaches `max_store_bytes` (if set) or free space
// falls below `min_free_bytes`; takes reports again once the store is below
// 95% of its limit and at least 105% of the reserve is free, so that a node
// at the edge does not flap.
//
// Thread-safe.
class AdmissionControl {
 public:
  struct Limits {
    uint64_t max_store_bytes = 0;  // 0 = none
    uint64_t min_free_bytes = 0;
  };
  struct Usage {
    uint64_t store_bytes = 0;
    uint64_t free_bytes = 0;
  };

  // `node` names this node in refusals.
  AdmissionControl(std::string node, Limits limits);

  // Takes a new measurement; true when the decision changed.
  bool Update(const Usage& usage);
  // OK, or RESOURCE_EXHAUSTED saying why, until when, and that nothing
  // already acknowledged is affected.
  absl::Status Check() const;

  Usage usage() const;
  const Limits& limits() const { return limits_; }

 private:
  const std::string node_;
  const Limits limits_;

  mutable absl::Mutex mu_;
  Usage usage_ ABSL_GUARDED_BY(mu_);
  absl::Status refusal_ ABSL_GUARDED_BY(mu_);
};

// "1.5 GiB", "300 MiB", "12 KiB", "17 B".
std::string FormatBytes(uint64_t bytes);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_ADMISSION_CONTROL_H_
