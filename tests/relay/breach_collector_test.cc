// Breaches gathered from several records are listed once, grouped by who is
// responsible and what kind.
#include "relay/breach_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/proto_time.h"
#include "tests/testing/fake_clock.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;

constexpr char kCounty[] = "140105000000";
constexpr char kTownship[] = "140105001000";

const absl::Time t0 = absl::FromUnixSeconds(1790000000);

Breach Late(DeadlineRule rule, const std::string& who, absl::Time due,
            absl::Time met) {
  Breach b;
  b.set_rule(rule);
  b.set_responsible(who);
  *b.mutable_start() = ToProto(due - absl::Hours(2));
  *b.mutable_due() = ToProto(due);
  if (met != absl::InfinitePast()) *b.mutable_met_at() = ToProto(met);
  return b;
}

TEST(BreachCollectorTest, OneBreachSeenThreeWaysIsListedOnceWithItsLatest) {
  FakeClock clock(t0 + absl::Hours(5));
  BreachCollector c(t0 - absl::Hours(24), t0 + absl::Hours(24),
                    clock.TimeNow());
  BreachSubject report{"r-1", "ev-1", "", kCounty, "燃气泄漏"};
  // The b/ record written when it went overdue (still open then), the hop
  // record written as the county sent it on, and the evaluation now.
  c.AddRecord(report,
              Late(DEADLINE_RULE_PER_HOP, kCounty, t0, absl::InfinitePast()));
  c.AddRecord(report,
              Late(DEADLINE_RULE_PER_HOP, kCounty, t0, t0 + absl::Minutes(30)));
  DeadlineStatus now;
  now.set_rule(DEADLINE_RULE_PER_HOP);
  now.set_responsible(kCounty);
  now.set_report_id("r-1");
  *now.mutable_due() = ToProto(t0);
  *now.mutable_met_at() = ToProto(t0 + absl::Minutes(30));
  now.set_state(DEADLINE_STATE_MET_LATE);
  c.AddDeadline(report, now);
  // A follow-up still overdue, a met one (not a breach), and one outside
  // the period.
  DeadlineStatus follow_up;
  follow_up.set_rule(DEADLINE_RULE_FOLLOW_UP);
  follow_up.set_responsible(kTownship);
  follow_up.set_report_id("r-1");
  *follow_up.mutable_due() = ToProto(t0 + absl::Hours(1));
  follow_up.set_state(DEADLINE_STATE_OVERDUE);
  c.AddDeadline(report, follow_up);
  DeadlineStatus met = now;
  met.set_state(DEADLINE_STATE_MET);
  met.set_report_id("r-2");
  c.AddDeadline(BreachSubject{"r-2", "ev-2", "", kCounty, ""}, met);
  c.AddRecord(BreachSubject{"r-3", "ev-3", "", kCounty, ""},
              Late(DEADLINE_RULE_PER_HOP, kCounty, t0 + absl::Hours(48),
                   t0 + absl::Hours(49)));
  // A drill's breach: listed apart.
  Breach drill = Late(DEADLINE_RULE_PER_HOP, kCounty, t0, t0 + absl::Hours(1));
  drill.set_drill(true);
  c.AddRecord(BreachSubject{"d-1", "ev-d", "", kCounty, ""}, drill);
  // Two numbers of an origin that never arrived, overdue.
  SequenceGap gap;
  gap.set_first(4);
  gap.set_last(5);
  *gap.mutable_first_seen_at() = ToProto(t0);
  gap.set_overdue(true);
  c.AddGap("spiffe://kuaibao/client/140105001000/duty-1", kTownship, gap);

  ListBreachesResponse out = c.Build();
  ASSERT_EQ(out.groups_size(), 3) << out.DebugString();
  const BreachGroup& hand_off = out.groups(0);
  EXPECT_EQ(hand_off.responsible(), kCounty);
  EXPECT_EQ(hand_off.kind(), BREACH_KIND_LATE_HAND_OFF);
  ASSERT_EQ(hand_off.entries_size(), 1);
  EXPECT_FALSE(hand_off.entries(0).outstanding());
  EXPECT_EQ(FromDurationProto(hand_off.entries(0).late_by()),
            absl::Minutes(30));
  EXPECT_EQ(out.groups(1).responsible(), kTownship);
  EXPECT_EQ(out.groups(1).kind(), BREACH_KIND_MISSED_FOLLOW_UP);
  EXPECT_TRUE(out.groups(1).entries(0).outstanding());
  EXPECT_EQ(FromDurationProto(out.groups(1).worst()), absl::Hours(4));
  EXPECT_EQ(out.groups(2).kind(), BREACH_KIND_SEQUENCE_GAP);
  EXPECT_EQ(out.groups(2).entries(0).headline(), "reports #4–#5 never arrived");
  ASSERT_EQ(out.drills_size(), 1);
  EXPECT_EQ(out.drills(0).report_id(), "d-1");
}

}  // namespace
}  // namespace kuaibao
