// The clock-skew estimate from synthetic relay timestamps.
#include "relay/clock_skew.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;

TEST(ClockSkewTest, ChildAheadIsEstimatedFromItsSendTimesAndWarnedOnce) {
  FakeClock parent;  // the parent's clock; the child's runs 40 s ahead
  const absl::Duration ahead = absl::Seconds(40);
  ClockSkewTracker tracker(absl::Seconds(30));
  bool crossed = false;
  int crossings = 0;
  SkewEstimate e;
  // Network delays between 5 and 95 ms.
  for (int i = 0; i < 10; ++i) {
    absl::Duration delay = absl::Milliseconds(5 + (i * 37) % 91);
    absl::Time child_sent = parent.TimeNow() + ahead;
    parent.Advance(delay);
    e = tracker.Observe("140105001000", SkewRelation::kChild,
                        SkewFromArrival(child_sent, parent.TimeNow()),
                        &crossed);
    crossings += crossed;
    parent.Advance(absl::Seconds(1));
  }
  // The least-delayed sample: 40 s less 5 ms.
  EXPECT_EQ(e.offset, ahead - absl::Milliseconds(5));
  EXPECT_EQ(e.samples, 10);
  EXPECT_TRUE(e.beyond_bound);
  EXPECT_EQ(crossings, 1) << "warned once, not on every report";
  EXPECT_EQ(DescribeSkew(e),
            "child 140105001000's clock is 39.995s ahead of this node's");
}

TEST(ClockSkewTest, ParentBehindIsEstimatedFromReceiptsExactlyWhenSymmetric) {
  FakeClock child;  // this node; the parent's clock runs 12 s behind
  const absl::Duration behind = absl::Seconds(12);
  ClockSkewTracker tracker(absl::Seconds(30));
  bool crossed = false;
  SkewEstimate e;
  // First a sample with a slow, lopsided round trip, then a quick one.
  for (absl::Duration out : {absl::Milliseconds(300), absl::Milliseconds(4)}) {
    absl::Time sent = child.TimeNow();
    child.Advance(out);
    absl::Time received = child.TimeNow() - behind;
    child.Advance(absl::Milliseconds(2));  // the parent's synced write
    absl::Time stored = child.TimeNow() - behind;
    child.Advance(absl::Milliseconds(4));
    e = tracker.Observe(
        "140100000000", SkewRelation::kParent,
        SkewFromReceipt(sent, received, stored, child.TimeNow()), &crossed);
  }
  EXPECT_EQ(e.offset, -behind);
  EXPECT_EQ(e.round_trip, absl::Milliseconds(8));
  EXPECT_FALSE(e.beyond_bound);
  EXPECT_FALSE(crossed);
}

TEST(ClockSkewTest, BackWithinTheBoundIsReportedOnceTheOldSamplesAgeOut) {
  ClockSkewTracker tracker(absl::Seconds(30));
  absl::Time t = absl::FromUnixSeconds(1790000000);
  bool crossed = false;
  tracker.Observe("c", SkewRelation::kChild,
                  SkewFromArrival(t + absl::Seconds(45), t), &crossed);
  EXPECT_TRUE(crossed);
  // The child's clock was fixed: after a window of good samples the
  // estimate follows.
  int crossings = 0;
  SkewEstimate e;
  for (int i = 0; i < ClockSkewTracker::kWindow; ++i) {
    t += absl::Seconds(1);
    e = tracker.Observe("c", SkewRelation::kChild,
                        SkewFromArrival(t - absl::Milliseconds(3), t),
                        &crossed);
    crossings += crossed;
  }
  EXPECT_EQ(crossings, 1);
  EXPECT_FALSE(e.beyond_bound);
  EXPECT_EQ(e.offset, absl::Milliseconds(-3));
}

}  // namespace
}  // namespace kuaibao
