#ifndef KUAIBAO_RELAY_ADMISSION_CONTROL_H_
#define KUAIBAO_RELAY_ADMISSION_CONTROL_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace kuaibao {

// Whether the node takes new reports, decided from its backlog, how much disk
// its store uses and how much is left, so that it refuses loudly before the
// disk is full instead of failing writes. Reports already acknowledged are
// never affected: they stay, and receipts for them are still recorded (that
// is what the reserve keeps room for).
//
// Refuses when the backlog (reports not yet acknowledged upstream) reaches
// `max_backlog_bytes`, the store reaches `max_store_bytes` (if set) or free
// space falls below `min_free_bytes`; takes reports again once the backlog
// and the store are below 95% of their limits and at least 105% of the
// reserve is free, so that a node at the edge does not flap.
//
// The backlog shrinks by itself as the upstream acknowledges; the store does
// not (a node keeps every report it handled, as history), so a node at
// `max_store_bytes` takes reports again only once an operator made room.
//
// Thread-safe.
class AdmissionControl {
 public:
  struct Limits {
    uint64_t max_store_bytes = 0;  // 0 = none
    uint64_t min_free_bytes = 0;
    uint64_t max_backlog_bytes = 0;  // 0 = none
  };
  struct Usage {
    uint64_t store_bytes = 0;
    uint64_t free_bytes = 0;
    uint64_t backlog_bytes = 0;
  };

  // `node` names this node in refusals.
  AdmissionControl(std::string node, Limits limits);

  // Takes a new measurement; true when the decision changed.
  bool Update(const Usage& usage);
  // The backlog alone, as it changes (after each write that queues reports),
  // so that the quota holds between measurements; true when the decision
  // changed.
  bool UpdateBacklog(uint64_t backlog_bytes);
  // OK, or RESOURCE_EXHAUSTED saying why, until when, and that nothing
  // already acknowledged is affected.
  absl::Status Check() const;

  Usage usage() const;
  const Limits& limits() const { return limits_; }

 private:
  bool Decide(const Usage& usage) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

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
