// Statistics count each real event once, from its latest figures.
#include "relay/statistics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "relay/proto_time.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_reports.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::SampleReport;

constexpr char kProvince[] = "140000000000";
constexpr char kTaiyuanTownship[] = "140105001000";
constexpr char kDatongCounty[] = "140212000000";

absl::Time Beijing(int y, int m, int d, int h) {
  return absl::FromCivil(absl::CivilHour(y, m, d, h),
                         absl::FixedTimeZone(8 * 3600));
}

class StatisticsTest : public ::testing::Test {
 protected:
  // A report of `event`, its `seq`th, authored `seq` hours after it occurred
  // at `occurred`.
  IncidentReport Report(const std::string& event, uint32_t seq,
                        absl::Time occurred, const std::string& region) {
    IncidentReport r =
        SampleReport(absl::StrCat(event, "-", seq), region, clock_.TimeNow());
    r.set_event_id(event);
    r.set_event_seq(seq);
    *r.mutable_occurred_at() = ToProto(occurred);
    *r.mutable_authored_at() = ToProto(occurred + absl::Hours(seq));
    return r;
  }

  static Harm Figures(uint32_t deaths, uint32_t missing, uint32_t injured,
                      uint64_t loss) {
    Harm h;
    h.set_deaths(deaths);
    h.set_missing(missing);
    h.set_injured(injured);
    h.set_economic_loss_yuan(loss);
    return h;
  }

  FakeClock clock_{Beijing(2026, 12, 2, 9)};
};

TEST_F(StatisticsTest, AMonthWithFollowUpsAndADrillCountsEachRealEventOnce) {
  EventStatistics stats;
  const absl::Time flood = Beijing(2026, 11, 28, 6);
  // The flood: brief, initial, follow-up, final. Cumulative figures: the
  // final report's are the event's. Added out of order, the follow-up twice
  // (it reached the province by two paths; a node holds it once, but a sum
  // would still be wrong).
  IncidentReport brief = Report("flood", 0, flood, kTaiyuanTownship);
  brief.set_kind(REPORT_KIND_BRIEF);
  *brief.mutable_harm() = Figures(0, 3, 2, 0);
  IncidentReport initial = Report("flood", 1, flood, kTaiyuanTownship);
  *initial.mutable_harm() = Figures(1, 2, 5, 200000);
  IncidentReport follow = Report("flood", 2, flood, kTaiyuanTownship);
  follow.set_kind(REPORT_KIND_FOLLOW_UP);
  *follow.mutable_harm() = Figures(2, 1, 6, 800000);
  IncidentReport final_report = Report("flood", 3, flood, kTaiyuanTownship);
  final_report.set_kind(REPORT_KIND_FINAL);
  *final_report.mutable_harm() = Figures(3, 0, 6, 1200000);
  for (const IncidentReport& r : {follow, brief, final_report, initial}) {
    stats.Add(r);
  }
  // A gas explosion in 大同 the same month, one report.
  IncidentReport gas =
      Report("gas", 0, Beijing(2026, 11, 3, 10), kDatongCounty);
  gas.set_grade(GRADE_II);
  *gas.mutable_harm() = Figures(4, 0, 11, 5000000);
  stats.Add(gas);
  // A drill: never counted, however grim its figures.
  IncidentReport drill =
      Report("drill", 0, Beijing(2026, 11, 10, 9), kTaiyuanTownship);
  drill.set_status(REPORT_STATUS_EXERCISE);
  *drill.mutable_harm() = Figures(30, 5, 100, 1);
  stats.Add(drill);
  // A false alarm, retracted by its second report.
  IncidentReport alarm =
      Report("alarm", 0, Beijing(2026, 11, 12, 9), kTaiyuanTownship);
  *alarm.mutable_harm() = Figures(1, 0, 0, 0);
  IncidentReport retraction =
      Report("alarm", 1, Beijing(2026, 11, 12, 9), kTaiyuanTownship);
  retraction.set_kind(REPORT_KIND_RETRACTION);
  stats.Add(alarm);
  stats.Add(retraction);
  // Just outside November in Beijing time (still 30 November in UTC), and
  // in October.
  stats.Add(Report("late-night", 0, Beijing(2026, 12, 1, 4), kDatongCounty));
  stats.Add(Report("october", 0, Beijing(2026, 10, 31, 23), kDatongCounty));

  StatisticsResponse month =
      stats.Build(Beijing(2026, 11, 1, 0), Beijing(2026, 12, 1, 0), kProvince,
                  STATS_GROUPING_REGION);
  EXPECT_EQ(month.total().events(), 2);
  EXPECT_EQ(month.total().deaths(), 3 + 4);
  EXPECT_EQ(month.total().missing(), 0);
  EXPECT_EQ(month.total().injured(), 6 + 11);
  EXPECT_EQ(month.total().economic_loss_yuan(), 1200000 + 5000000);
  EXPECT_EQ(month.drill_events(), 1);
  EXPECT_EQ(month.retracted_events(), 1);
  EXPECT_EQ(month.reports(), 4 + 1);
  // By region one level below the province: the two cities.
  ASSERT_EQ(month.rows_size(), 2);
  EXPECT_EQ(month.rows(0).key(), "140100000000");
  EXPECT_EQ(month.rows(0).deaths(), 3);
  EXPECT_EQ(month.rows(1).key(), "140200000000");
  EXPECT_EQ(month.rows(1).deaths(), 4);

  StatisticsResponse by_grade =
      stats.Build(Beijing(2026, 11, 1, 0), Beijing(2026, 12, 1, 0), kProvince,
                  STATS_GROUPING_GRADE);
  ASSERT_EQ(by_grade.rows_size(), 2);
  EXPECT_EQ(by_grade.rows(0).key(), "GRADE_II");
  EXPECT_EQ(by_grade.rows(1).key(), "GRADE_IV");

  // A county's own view holds only its own events.
  StatisticsResponse county =
      stats.Build(Beijing(2026, 11, 1, 0), Beijing(2026, 12, 1, 0),
                  "140105000000", STATS_GROUPING_REGION);
  EXPECT_EQ(county.total().events(), 1);
  ASSERT_EQ(county.rows_size(), 1);
  EXPECT_EQ(county.rows(0).key(), kTaiyuanTownship);
}

TEST_F(StatisticsTest, AnEventIsDatedByItsLatestReport) {
  // A correction moves the event into December: it leaves November.
  EventStatistics stats;
  IncidentReport first =
      Report("ev", 0, Beijing(2026, 11, 30, 23), kTaiyuanTownship);
  IncidentReport correction =
      Report("ev", 1, Beijing(2026, 12, 1, 1), kTaiyuanTownship);
  correction.set_kind(REPORT_KIND_CORRECTION);
  stats.Add(first);
  stats.Add(correction);
  EXPECT_EQ(stats
                .Build(Beijing(2026, 11, 1, 0), Beijing(2026, 12, 1, 0),
                       kProvince, STATS_GROUPING_REGION)
                .total()
                .events(),
            0);
  EXPECT_EQ(stats
                .Build(Beijing(2026, 12, 1, 0), Beijing(2027, 1, 1, 0),
                       kProvince, STATS_GROUPING_REGION)
                .total()
                .events(),
            1);
}

}  // namespace
}  // namespace kuaibao
