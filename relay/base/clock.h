#ifndef KUAIBAO_RELAY_BASE_CLOCK_H_
#define KUAIBAO_RELAY_BASE_CLOCK_H_

#include "absl/time/time.h"

namespace kuaibao {

// Where code that decides on time gets "now". Shaped like absl::Clock (newer
// Abseil) so the later upgrade is a rename. Implementations are thread-safe.
// Code under relay/ never reads the system clock itself: it is handed a Clock
// (borrowed; the owner keeps it alive longer than every user).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time TimeNow() = 0;
};

// The system's wall clock.
class RealClock final : public Clock {
 public:
  absl::Time TimeNow() override;
  // A process-wide instance; never destroyed.
  static RealClock& Get();
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_BASE_CLOCK_H_
