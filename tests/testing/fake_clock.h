#ifndef KUAIBAO_TESTS_TESTING_FAKE_CLOCK_H_
#define KUAIBAO_TESTS_TESTING_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"

namespace kuaibao::testing {

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1790000000))
      : now_(start) {}
  absl::Time TimeNow() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_TESTING_FAKE_CLOCK_H_
