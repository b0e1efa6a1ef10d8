// `kuaibao report`: a report from flags, and the next report of an event.

#include "client/report_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/display.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1790000000);

ReportArgs Brief() {
  ReportArgs args;
  args.category = "major_accident";
  args.grade = "II";
  args.headline = "居民楼燃气爆炸";
  args.region = "坞城街道";
  args.unit = "坞城街道办事处";
  args.occurred_at = "2026-09-21 22:00";
  return args;
}

TEST(BuildReportTest, ANewEventsBriefReportFromFlags) {
  // Times typed without an offset are read in the display zone.
  SetDisplay({Lang::kEn, TimeZoneChoice::kBeijing});
  absl::StatusOr<v1::IncidentReport> r =
      BuildReport(Brief(), nullptr, kNow, "r-1", "ev-1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind(), v1::REPORT_KIND_BRIEF);
  EXPECT_EQ(r->category(), v1::CATEGORY_MAJOR_ACCIDENT);
  EXPECT_EQ(r->grade(), v1::GRADE_II);
  EXPECT_EQ(r->status(), v1::REPORT_STATUS_ACTUAL);
  EXPECT_EQ(r->location().region_code(), "140105001000");
  EXPECT_EQ(r->event_id(), "ev-1");
  EXPECT_EQ(r->event_seq(), 0u);
  // 22:00 Beijing time is 14:00 UTC.
  EXPECT_EQ(FromProto(r->occurred_at()),
            absl::FromCivil(absl::CivilSecond(2026, 9, 21, 14, 0, 0),
                            absl::UTCTimeZone()));
  SetDisplay({Lang::kEn, TimeZoneChoice::kUtc});  // client_test's pin
}

TEST(BuildReportTest, AFollowUpContinuesTheEventsLatestReport) {
  v1::IncidentReport previous =
      *BuildReport(Brief(), nullptr, kNow, "r-1", "ev-1");
  previous.set_event_seq(2);
  ReportArgs next;
  next.follow_up = "ev-1";
  next.headline = "续报：死亡 2 人";
  absl::StatusOr<v1::IncidentReport> r =
      BuildReport(next, &previous, kNow, "r-3", "unused");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind(), v1::REPORT_KIND_FOLLOW_UP);
  EXPECT_EQ(r->event_id(), "ev-1");
  EXPECT_EQ(r->event_seq(), 3u);
  EXPECT_EQ(r->supersedes(), "r-1");
  EXPECT_EQ(r->location().region_code(), "140105001000");
  EXPECT_EQ(r->category(), v1::CATEGORY_MAJOR_ACCIDENT);
}

TEST(BuildReportTest, BadFlagsAreNamed) {
  auto refused = [](ReportArgs args) {
    absl::StatusOr<v1::IncidentReport> r =
        BuildReport(args, nullptr, kNow, "r-1", "ev-1");
    EXPECT_FALSE(r.ok());
    return std::string(r.status().message());
  };
  ReportArgs args = Brief();
  args.category = "flood";
  EXPECT_THAT(refused(args), HasSubstr("--category: 'flood' is not one of"));
  args = Brief();
  args.headline.clear();
  EXPECT_THAT(refused(args), HasSubstr("--headline: is required"));
  args = Brief();
  args.region = "城区";  // several cities have one
  EXPECT_THAT(refused(args), HasSubstr("--region: more than one region"));
  args = Brief();
  args.kind = "follow_up";
  EXPECT_THAT(refused(args), HasSubstr("--follow-up=EVENT_ID"));
  args = Brief();
  args.occurred_at = "yesterday";
  EXPECT_THAT(refused(args), HasSubstr("--occurred-at: "));
}

}  // namespace
}  // namespace kuaibao
