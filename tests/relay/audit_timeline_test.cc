// Timelines and punctuality over hand-built hop records: a report held at
// the county past its budget is the county's fault, not the township's.
#include "relay/audit_timeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/deadlines.h"
#include "relay/proto_time.h"
#include "relay/punctuality.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/hop_builder.h"
#include "tests/testing/sample_reports.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::AddHopTo;
using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::SampleReport;

constexpr char kProvince[] = "140000000000";
constexpr char kCity[] = "140100000000";
constexpr char kCounty[] = "140105000000";
constexpr char kTownship[] = "140105001000";
constexpr char kOrigin[] = "spiffe://kuaibao/client/140105001000/duty-1";

class AuditTimelineTest : public ::testing::Test {
 protected:
  // The township passes it on in 10 minutes; the county holds it 2h30m
  // against its 2 h budget; the city has it now.
  StoredReport HeldAtTheCounty(const std::string& id) {
    const absl::Time t0 = start_;
    StoredReport s;
    *s.mutable_report() = SampleReport(id, kTownship, t0);
    s.mutable_report()->set_origin(kOrigin);
    *s.mutable_report()->mutable_unit_informed_at() =
        ToProto(t0 - absl::Minutes(10));
    AddHopTo(s.mutable_hops(), kTownship, t0, kCounty, t0 + absl::Minutes(10));
    AddHopTo(s.mutable_hops(), kCounty, t0 + absl::Minutes(11), kCity,
             t0 + absl::Minutes(161));
    AddHopTo(s.mutable_hops(), kCity, t0 + absl::Minutes(162));
    return s;
  }

  TimelineContext AtTheCity() {
    TimelineContext ctx;
    ctx.here = kCity;
    ctx.has_parent = true;
    ctx.now = clock_.TimeNow();
    ctx.skew = &skew_;
    return ctx;
  }

  const absl::Time start_ = absl::FromUnixSeconds(1790000000);
  FakeClock clock_{start_ + absl::Minutes(170)};
  ClockSkewTracker skew_{absl::Seconds(30)};
};

TEST_F(AuditTimelineTest, TheCountyHeldItPastItsBudgetAndIsTheLateHop) {
  ReportTimeline t = BuildTimeline(HeldAtTheCounty("r-1"), AtTheCity());
  ASSERT_EQ(t.hops_size(), 3);
  const HopTiming& township = t.hops(0);
  const HopTiming& county = t.hops(1);
  const HopTiming& city = t.hops(2);
  EXPECT_EQ(township.node(), kTownship);
  EXPECT_FALSE(township.late());
  EXPECT_EQ(township.state(), DEADLINE_STATE_MET);
  EXPECT_EQ(FromDurationProto(township.dwell()), absl::Minutes(10));

  EXPECT_EQ(county.node(), kCounty);
  EXPECT_TRUE(county.late());
  EXPECT_EQ(county.state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(FromDurationProto(county.dwell()), absl::Minutes(150));
  EXPECT_EQ(FromDurationProto(county.budget()), absl::Hours(2));
  EXPECT_EQ(county.sent_to(), kCity);
  // The township → county transit compares two clocks: one minute.
  EXPECT_EQ(FromDurationProto(county.transit()), absl::Minutes(1));
  EXPECT_FALSE(county.clock_offset_known()) << "only the city knows its child";

  // The city still holds it, 8 minutes in, on time.
  EXPECT_EQ(city.state(), DEADLINE_STATE_ON_TIME);
  EXPECT_EQ(FromDurationProto(city.dwell()), absl::Minutes(8));
  EXPECT_THAT(city.notes(),
              ::testing::Contains("still here: not yet handed on"));

  EXPECT_THAT(t.late(), ::testing::ElementsAre(kCounty));
  EXPECT_THAT(t.cross_clock(),
              ::testing::Contains(::testing::HasSubstr("reach the province")));
}

TEST_F(AuditTimelineTest, TransitsAreReadWithTheChildsEstimatedClock) {
  StoredReport s = HeldAtTheCounty("r-2");
  // The county's clock runs 45 s ahead of the city's: its send stamp is
  // later than the city's arrival stamp.
  Forwarding* sent = s.mutable_hops(1)->mutable_forwarded(0);
  *sent->mutable_sent_at() =
      ToProto(FromProto(s.hops(2).received_at()) + absl::Seconds(45));
  bool crossed = false;
  skew_.Observe(kCounty, SkewRelation::kChild,
                SkewFromArrival(FromProto(sent->sent_at()),
                                FromProto(s.hops(2).received_at())),
                &crossed);
  ReportTimeline t = BuildTimeline(s, AtTheCity());
  const HopTiming& city = t.hops(2);
  EXPECT_EQ(FromDurationProto(city.transit()), absl::Seconds(-45));
  ASSERT_TRUE(city.clock_offset_known());
  EXPECT_EQ(FromDurationProto(city.clock_offset()), absl::Seconds(45));
  EXPECT_THAT(city.notes(),
              ::testing::Contains(::testing::HasSubstr("clocks disagree")));
  EXPECT_THAT(city.notes(),
              ::testing::Contains(::testing::HasSubstr("before it was sent")));
}

TEST_F(AuditTimelineTest, EveryPathIsShownAndTheSecondArrivalIsNotJudged) {
  // Grade II: township → county → city → province, and township → province
  // directly; the province stored it from the direct path first.
  const absl::Time t0 = start_;
  StoredReport s;
  *s.mutable_report() = SampleReport("g2", kTownship, t0);
  s.mutable_report()->set_grade(GRADE_II);
  HopRecord* township = AddHopTo(s.mutable_hops(), kTownship, t0, kProvince,
                                 t0 + absl::Minutes(1));
  township->mutable_forwarded(0)->set_route(ROUTE_DIRECT);
  AddHopTo(s.mutable_hops(), kProvince, t0 + absl::Minutes(2));
  google::protobuf::RepeatedPtrField<HopRecord>* other =
      s.add_other_paths()->mutable_hops();
  AddHopTo(other, kTownship, t0, kCounty, t0 + absl::Minutes(1));
  AddHopTo(other, kCounty, t0 + absl::Minutes(2), kCity, t0 + absl::Minutes(3));
  AddHopTo(other, kCity, t0 + absl::Minutes(4), kProvince,
           t0 + absl::Minutes(5));
  AddHopTo(other, kProvince, t0 + absl::Minutes(6));
  TimelineContext ctx;
  ctx.here = kProvince;
  ctx.now = t0 + absl::Minutes(30);
  ReportTimeline t = BuildTimeline(s, ctx);
  ASSERT_EQ(t.hops_size(), 2 + 4);
  EXPECT_EQ(t.hops(0).path(), 0);
  EXPECT_EQ(t.hops(2).path(), 1);
  EXPECT_EQ(t.hops(3).node(), kCounty);
  EXPECT_EQ(t.hops(3).state(), DEADLINE_STATE_MET);
  EXPECT_THAT(t.hops(5).notes(),
              ::testing::Contains(::testing::HasSubstr("another path")));
  EXPECT_TRUE(t.late().empty());
}

TEST_F(AuditTimelineTest, PunctualityNamesTheCountyNotTheTownship) {
  PunctualityTally tally(start_ - absl::Hours(1), start_ + absl::Hours(24),
                         clock_.TimeNow());
  TimelineContext ctx = AtTheCity();
  for (const char* id : {"a", "b"}) {
    tally.Add(
        ReportDeadlines(HeldAtTheCounty(id), ctx.policy, kCity, true, ctx.now),
        kTownship);
  }
  // A drill held just as long does not count.
  StoredReport drill = HeldAtTheCounty("drill");
  drill.mutable_report()->set_status(REPORT_STATUS_EXERCISE);
  tally.Add(ReportDeadlines(drill, ctx.policy, kCity, true, ctx.now),
            kTownship);
  std::vector<PunctualityRow> nodes = tally.Nodes();
  ASSERT_EQ(nodes.size(), 3);
  EXPECT_EQ(nodes[0].responsible(), kCounty);  // worst first
  EXPECT_EQ(nodes[0].handled(), 2);
  EXPECT_EQ(nodes[0].late(), 2);
  EXPECT_EQ(nodes[0].share_on_time(), 0);
  EXPECT_EQ(FromDurationProto(nodes[0].worst_delay()), absl::Minutes(30));
  EXPECT_EQ(nodes[1].responsible(), kCity);
  EXPECT_EQ(nodes[1].open(), 2);
  EXPECT_EQ(nodes[1].share_on_time(), 1);
  EXPECT_EQ(nodes[2].responsible(), kTownship);
  EXPECT_EQ(nodes[2].on_time(), 2);
  EXPECT_EQ(nodes[2].late(), 0);
  std::vector<PunctualityRow> units = tally.Units();
  ASSERT_EQ(units.size(), 1);
  EXPECT_EQ(units[0].responsible(), kOrigin);
  EXPECT_EQ(units[0].on_time(), 2);
  // The notice's measure, by the reporting region: both real reports.
  std::vector<PunctualityRow> end_to_end = tally.EndToEnd();
  ASSERT_EQ(end_to_end.size(), 1);
  EXPECT_EQ(end_to_end[0].responsible(), kTownship);
  EXPECT_EQ(end_to_end[0].handled(), 2);

  // Later the city hands off late too: now overdue, and counted.
  clock_.Advance(absl::Hours(3));
  PunctualityTally later(start_ - absl::Hours(1), start_ + absl::Hours(24),
                         clock_.TimeNow());
  later.Add(ReportDeadlines(HeldAtTheCounty("a"), ctx.policy, kCity, true,
                            clock_.TimeNow()),
            kTownship);
  std::vector<PunctualityRow> rows = later.Nodes();
  ASSERT_EQ(rows.size(), 3);
  EXPECT_EQ(rows[0].responsible(), kCity);  // 0 of 1 on time, the longest
  EXPECT_EQ(rows[0].late(), 1);
  EXPECT_EQ(FromDurationProto(rows[0].worst_delay()), absl::Minutes(68));
}

}  // namespace
}  // namespace kuaibao
