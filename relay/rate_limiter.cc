#include "relay/rate_limiter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace kuaibao {

absl::Status RateLimiter::Admit(const std::string& peer) {
  absl::Time now = clock_->TimeNow();
  absl::MutexLock lock(&mu_);
  auto [it, fresh] = buckets_.try_emplace(peer, Bucket{limit_.burst, now});
  Bucket& bucket = it->second;
  if (!fresh && now > bucket.refilled) {
    bucket.tokens = std::min(
        limit_.burst,
        bucket.tokens +
            limit_.per_second * absl::ToDoubleSeconds(now - bucket.refilled));
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "more than ", limit_.per_second, " reports per second (bursts of ",
      limit_.burst, ") from ", peer, "; resend this one in ",
      absl::FormatDuration(
          absl::Seconds((1 - bucket.tokens) / limit_.per_second))));
}

}  // namespace kuaibao
