#include "relay/base/log_limiter.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;

// An outsider's flood: 3 lines a minute let through, the rest counted and
// the count written with the first line of the next minute.
TEST(LogLimiterTest, LinesPerKeyPerWindowThenTheSuppressedCount) {
  FakeClock clock;
  LogLimiter limiter(3, absl::Minutes(1), &clock);
  uint64_t suppressed = 99;
  int written = 0;
  for (int i = 0; i < 1000; ++i) {
    if (limiter.Allow("spiffe://kuaibao/client/140105001000/flood",
                      &suppressed)) {
      ++written;
      EXPECT_EQ(suppressed, 0u);
    }
  }
  EXPECT_EQ(written, 3);
  // Someone else is not held back by the flood.
  EXPECT_TRUE(limiter.Allow("spiffe://kuaibao/node/140105000000", &suppressed));
  EXPECT_EQ(suppressed, 0u);
  clock.Advance(absl::Seconds(59));
  EXPECT_FALSE(
      limiter.Allow("spiffe://kuaibao/client/140105001000/flood", &suppressed));
  clock.Advance(absl::Seconds(1));
  ASSERT_TRUE(
      limiter.Allow("spiffe://kuaibao/client/140105001000/flood", &suppressed));
  EXPECT_EQ(suppressed, 998u);
  ASSERT_TRUE(
      limiter.Allow("spiffe://kuaibao/client/140105001000/flood", &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

// Keys an outsider makes up are forgotten once their window is over.
TEST(LogLimiterTest, ManyKeysStayBounded) {
  FakeClock clock;
  LogLimiter limiter(1, absl::Minutes(1), &clock);
  uint64_t suppressed = 0;
  for (int i = 0; i < 30000; ++i) {
    EXPECT_TRUE(limiter.Allow(std::to_string(i), &suppressed));
    if (i % 10000 == 9999) clock.Advance(absl::Minutes(2));
  }
  // 30,000 keys seen, at most the last window's remembered.
  EXPECT_LE(limiter.keys(), 10000u);
}

}  // namespace
}  // namespace kuaibao
