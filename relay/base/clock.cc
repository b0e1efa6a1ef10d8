#include "relay/base/clock.h"

#include "absl/time/clock.h"

namespace kuaibao {

// The one place under relay/ that reads the system clock.
absl::Time RealClock::TimeNow() { return absl::Now(); }

RealClock& RealClock::Get() {
  static RealClock* const clock = new RealClock();
  return *clock;
}

}  // namespace kuaibao
