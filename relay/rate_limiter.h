#ifndef KUAIBAO_RELAY_RATE_LIMITER_H_
#define KUAIBAO_RELAY_RATE_LIMITER_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"

namespace kuaibao {

// A token bucket per peer identity: each peer may send `burst` reports at
// once and `per_second` on average. Peers are authenticated certificates, so
// the number of buckets is bounded by the PKI, not by an attacker.
//
// Thread-safe.
class RateLimiter {
 public:
  struct Limit {
    double per_second = 100;
    double burst = 2000;
  };

  // Borrowed: `clock` outlives the limiter.
  RateLimiter(Limit limit, Clock* clock) : limit_(limit), clock_(clock) {}

  // Takes one report's token from `peer`'s bucket. RESOURCE_EXHAUSTED, with
  // the limit and when to resend, when the bucket is empty; RetryAfter() reads
  // the delay back from it.
  absl::Status Admit(const std::string& peer);

 private:
  struct Bucket {
    double tokens;
    absl::Time refilled;
  };

  const Limit limit_;
  Clock* const clock_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// The delay after which a refusal of Admit() says to resend (at least 1 ms);
// nullopt for any other status.
std::optional<absl::Duration> RetryAfter(const absl::Status& status);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_RATE_LIMITER_H_
