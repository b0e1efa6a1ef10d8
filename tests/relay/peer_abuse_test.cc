#include "relay/peer_abuse.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;

constexpr char kAbuser[] = "spiffe://kuaibao/client/140105001000/duty-2";
constexpr char kOfficer[] = "spiffe://kuaibao/client/140105001000/duty-1";

// Rapid reset: the call past the limit within the window starts the
// cool-down, once; the peer is refused until it ends, nobody else is.
TEST(PeerAbuseWatchTest, TooManyCancelledCallsStartOneCooldown) {
  FakeClock clock;
  PeerAbuseWatch watch({10, absl::Seconds(10), absl::Minutes(5)}, &clock);
  int started = 0;
  for (int i = 0; i < 10; ++i) started += watch.Cancelled(kAbuser);
  EXPECT_EQ(started, 0);
  EXPECT_FALSE(watch.RefusedUntil(kAbuser).has_value());
  const absl::Time start = clock.TimeNow();
  EXPECT_TRUE(watch.Cancelled(kAbuser));
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(watch.Cancelled(kAbuser));
  ASSERT_TRUE(watch.RefusedUntil(kAbuser).has_value());
  EXPECT_EQ(*watch.RefusedUntil(kAbuser), start + absl::Minutes(5));
  EXPECT_FALSE(watch.RefusedUntil(kOfficer).has_value());

  clock.Advance(absl::Minutes(5));
  EXPECT_FALSE(watch.RefusedUntil(kAbuser).has_value());
  std::vector<PeerAbuseWatch::PeerState> peers = watch.Peers();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].peer, kAbuser);
  EXPECT_EQ(peers[0].cancelled_total, 1011u);
  EXPECT_EQ(peers[0].cooldowns, 1u);
  EXPECT_FALSE(peers[0].cooling);

  // Again after the cool-down: a second one.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(watch.Cancelled(kAbuser));
  EXPECT_TRUE(watch.Cancelled(kAbuser));
  EXPECT_TRUE(watch.Peers()[0].cooling);
  EXPECT_EQ(watch.Peers()[0].cooldowns, 2u);
}

// Calls started are seen before their cancellation: too many of them start
// the cool-down too; a stream carrying many reports is one call.
TEST(PeerAbuseWatchTest, TooManyCallsStartedStartTheCooldown) {
  FakeClock clock;
  PeerAbuseWatch watch({10, absl::Seconds(10), absl::Minutes(5), 100}, &clock);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(watch.Started(kAbuser));
  EXPECT_FALSE(watch.Started(kOfficer));
  EXPECT_TRUE(watch.Started(kAbuser));
  EXPECT_TRUE(watch.RefusedUntil(kAbuser).has_value());
  EXPECT_FALSE(watch.RefusedUntil(kOfficer).has_value());
  // Only peers with something to show reach the metrics.
  ASSERT_EQ(watch.Peers().size(), 1u);
  EXPECT_EQ(watch.Peers()[0].cooldowns, 1u);
  EXPECT_EQ(watch.Peers()[0].cancelled_total, 0u);
}

// A real client's cancellations (a user giving up now and then) spread
// over time never reach the limit.
TEST(PeerAbuseWatchTest, CancellationsSpreadOverTimeAreNotAbuse) {
  FakeClock clock;
  PeerAbuseWatch watch({10, absl::Seconds(10), absl::Minutes(5)}, &clock);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(watch.Cancelled(kOfficer));
    clock.Advance(absl::Seconds(1));
  }
  EXPECT_FALSE(watch.RefusedUntil(kOfficer).has_value());
  EXPECT_EQ(watch.Peers()[0].cancelled_total, 1000u);
  EXPECT_EQ(watch.Peers()[0].cooldowns, 0u);
}

}  // namespace
}  // namespace kuaibao
