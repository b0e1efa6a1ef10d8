#include "relay/link_health.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;

constexpr absl::Duration kStallAfter = absl::Seconds(60);

TEST(LinkHealthTest, DisconnectedIsDownWhateverIsQueued) {
  FakeClock clock;
  LinkSnapshot link;
  link.in_flight = 5;
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kDown);
}

TEST(LinkHealthTest, ADormantOnDemandLinkIsIdleNotDown) {
  // An escalation-only link closed with nothing to send: an alert on "down"
  // must not fire for it all day.
  FakeClock clock;
  LinkSnapshot link;
  link.dormant = true;
  clock.Advance(absl::Hours(30));
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kIdle);
  // Once it has something to carry and cannot connect, it is down.
  link.dormant = false;
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kDown);
}

TEST(LinkHealthTest, ConnectedWithNothingOutstandingIsIdleForever) {
  FakeClock clock;
  LinkSnapshot link;
  link.connected = true;
  link.connected_since = clock.TimeNow();
  clock.Advance(absl::Hours(30));
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kIdle);
}

TEST(LinkHealthTest, ConnectedButNoReceiptForTooLongIsStalled) {
  FakeClock clock;
  LinkSnapshot link;
  link.connected = true;
  link.connected_since = clock.TimeNow();
  link.in_flight = 64;
  link.oldest_in_flight_sent_at = clock.TimeNow();
  clock.Advance(absl::Seconds(59));
  LinkAssessment a = AssessLink(link, clock.TimeNow(), kStallAfter);
  EXPECT_EQ(a.health, LinkHealth::kMoving);
  EXPECT_EQ(a.quiet_since, link.oldest_in_flight_sent_at);
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kStalled);
  // A receipt moves it again.
  link.last_receipt_at = clock.TimeNow();
  clock.Advance(absl::Seconds(30));
  a = AssessLink(link, clock.TimeNow(), kStallAfter);
  EXPECT_EQ(a.health, LinkHealth::kMoving);
  EXPECT_EQ(a.quiet_since, link.last_receipt_at);
}

TEST(LinkHealthTest, AnOldReceiptDoesNotHideANewStall) {
  // Quiet for an hour, then reports go out and nothing comes back: judged
  // from the send, not from the hour-old receipt.
  FakeClock clock;
  LinkSnapshot link;
  link.connected = true;
  link.last_receipt_at = clock.TimeNow();
  clock.Advance(absl::Hours(1));
  link.in_flight = 1;
  link.oldest_in_flight_sent_at = clock.TimeNow();
  clock.Advance(absl::Seconds(10));
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kMoving);
  clock.Advance(absl::Seconds(50));
  EXPECT_EQ(AssessLink(link, clock.TimeNow(), kStallAfter).health,
            LinkHealth::kStalled);
  EXPECT_EQ(LinkHealthName(LinkHealth::kStalled), "stalled");
}

}  // namespace
}  // namespace kuaibao
