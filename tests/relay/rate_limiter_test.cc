#include "relay/rate_limiter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;

int Admitted(RateLimiter& limiter, const std::string& peer, int tries) {
  int admitted = 0;
  for (int i = 0; i < tries; ++i) admitted += limiter.Admit(peer).ok();
  return admitted;
}

TEST(RateLimiterTest, BurstThenTheRate) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/2, /*burst=*/5}, &clock);
  EXPECT_EQ(Admitted(limiter, "a", 8), 5);
  absl::Status over = limiter.Admit("a");
  EXPECT_THAT(over, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(over.message()), ::testing::HasSubstr("from a"));
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(Admitted(limiter, "a", 8), 2);
  // Refilling stops at the burst.
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(Admitted(limiter, "a", 8), 5);
}

// The refusal carries when to resend as data (Rejection.retry_after), not
// only as text: with 2 per second and the bucket empty, half a second.
TEST(RateLimiterTest, RefusalCarriesTheRetryDelay) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/2, /*burst=*/1}, &clock);
  ASSERT_THAT(limiter.Admit("a"), IsOk());
  absl::Status over = limiter.Admit("a");
  ASSERT_THAT(over, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(RetryAfter(over), absl::Milliseconds(500));
  clock.Advance(absl::Milliseconds(400));
  EXPECT_EQ(RetryAfter(limiter.Admit("a")), absl::Milliseconds(100));
  clock.Advance(absl::Milliseconds(100));
  EXPECT_THAT(limiter.Admit("a"), IsOk());
  EXPECT_EQ(RetryAfter(absl::ResourceExhaustedError("disk full")),
            std::nullopt);
}

TEST(RateLimiterTest, PeersHaveTheirOwnBuckets) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/1, /*burst=*/3}, &clock);
  EXPECT_EQ(Admitted(limiter, "a", 10), 3);
  EXPECT_EQ(Admitted(limiter, "b", 10), 3);
  clock.Advance(absl::Milliseconds(500));
  EXPECT_THAT(limiter.Admit("a"),
              StatusIs(absl::StatusCode::kResourceExhausted));
  clock.Advance(absl::Milliseconds(500));
  EXPECT_THAT(limiter.Admit("a"), IsOk());
}

}  // namespace
}  // namespace kuaibao
