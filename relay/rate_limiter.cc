#include "relay/rate_limiter.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kuaibao {
namespace {

// The delay in milliseconds, as a decimal string, on the limiter's refusals.
constexpr char kRetryAfterPayload[] = "type.kuaibao/retry-after-ms";

}  // namespace

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
  const absl::Duration wait = std::max(
      absl::Milliseconds(1),
      absl::Ceil(absl::Seconds((1 - bucket.tokens) / limit_.per_second),
                 absl::Milliseconds(1)));
  absl::Status refused = absl::ResourceExhaustedError(
      absl::StrCat("more than ", limit_.per_second,
                   " reports per second (bursts of ", limit_.burst, ") from ",
                   peer, "; resend this one in ", absl::FormatDuration(wait)));
  refused.SetPayload(kRetryAfterPayload,
                     absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(wait))));
  return refused;
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryAfterPayload);
  int64_t ms = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &ms)) {
    return std::nullopt;
  }
  return absl::Milliseconds(ms);
}

}  // namespace kuaibao
