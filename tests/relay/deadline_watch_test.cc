#include "relay/deadline_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/deadlines.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1800000000);

DeadlineStatus Hop(absl::Time now, absl::Time met) {
  DeadlinePolicy policy;
  DeadlineStatus s;
  s.set_rule(DEADLINE_RULE_PER_HOP);
  s.set_responsible("140105000000");
  *s.mutable_start() = ToProto(kStart);
  *s.mutable_due() = ToProto(kStart + policy.per_hop);
  s.set_state(StateOf(kStart, kStart + policy.per_hop, met, now,
                      policy.at_risk_fraction));
  return s;
}

TEST(DeadlineWatchTest, WakesOnlyWhenTimeAloneChangesAState) {
  DeadlinePolicy policy;
  DeadlineWatch watch(policy);
  watch.Arrive("a", kStart, nullptr);
  EXPECT_THAT(watch.TakeDue(kStart), ::testing::IsEmpty()) << "not written";
  watch.Landed("a", true);
  auto due = watch.TakeDue(kStart);
  ASSERT_EQ(due.size(), 1u);
  DeadlineWatch::Outcome out;
  watch.Fold("a", kStart, {Hop(kStart, absl::InfinitePast())}, kStart, false,
             &out);
  EXPECT_THAT(out.changed, ::testing::IsEmpty()) << "on time is no news";
  // Nothing to do until the deadline is at risk.
  const absl::Time at_risk = kStart + policy.per_hop * policy.at_risk_fraction;
  EXPECT_THAT(watch.TakeDue(at_risk - absl::Seconds(1)), ::testing::IsEmpty());
  EXPECT_EQ(watch.TakeDue(at_risk).size(), 1u);
  // Then at the due time.
  out = {};
  watch.Fold("a", kStart, {Hop(at_risk, absl::InfinitePast())}, at_risk, false,
             &out);
  ASSERT_EQ(out.changed.size(), 1u);
  EXPECT_EQ(out.changed[0].state(), DEADLINE_STATE_AT_RISK);
  EXPECT_THAT(watch.TakeDue(kStart + policy.per_hop), ::testing::IsEmpty());
  EXPECT_EQ(watch.TakeDue(kStart + policy.per_hop + absl::Seconds(1)).size(),
            1u);
}

TEST(DeadlineWatchTest, MetOnTimeIsForgottenLateIsKeptForTheWindow) {
  DeadlinePolicy policy;
  DeadlineWatch watch(policy);
  const absl::Time now = kStart + absl::Minutes(5);
  DeadlineWatch::Outcome out;
  watch.Fold("met", kStart, {Hop(now, now)}, now, /*quiet=*/true, &out);
  EXPECT_EQ(watch.size(), 0u) << "memory is bounded by open deadlines";
  EXPECT_THAT(out.changed, ::testing::IsEmpty());

  const absl::Time late = kStart + policy.per_hop + absl::Minutes(1);
  watch.Fold("late", kStart, {Hop(late, late)}, late, /*quiet=*/true, &out);
  EXPECT_THAT(out.changed, ::testing::IsEmpty()) << "quiet: learnt, not told";
  ASSERT_EQ(out.newly_late.size(), 1u) << "the breach is still recorded";
  EXPECT_THAT(watch.Listed(), ::testing::ElementsAre("late"));
  // Past the lookback window it is forgotten.
  watch.TouchIfWatched("late");
  EXPECT_THAT(watch.TakeDue(kStart + DeadlineWatch::Lookback(policy) +
                            absl::Seconds(1)),
              ::testing::IsEmpty());
  EXPECT_EQ(watch.size(), 0u);
}

}  // namespace
}  // namespace kuaibao
