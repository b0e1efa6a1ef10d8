// The audit commands' periods (Beijing time), argument checks and CSV.
#include "client/audit_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/audit_view.h"
#include "client/display.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

using ::testing::HasSubstr;

absl::Time Beijing(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d),
                         absl::FixedTimeZone(8 * 3600));
}

AuditArgs Args(const std::string& command) {
  AuditArgs args;
  args.command = command;
  return args;
}

TEST(AuditPeriodTest, MonthsQuartersYearsAndDaysInBeijingTime) {
  AuditArgs args = Args("stats");
  args.month = "2026-11";
  absl::StatusOr<AuditPeriod> p = ParseAuditPeriod(args);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->from, Beijing(2026, 11, 1));
  EXPECT_EQ(p->to, Beijing(2026, 12, 1));
  EXPECT_EQ(p->from, absl::FromUnixSeconds(1793462400));  // 10-31 16:00Z

  args = Args("stats");
  args.quarter = "2026q4";
  p = ParseAuditPeriod(args);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->from, Beijing(2026, 10, 1));
  EXPECT_EQ(p->to, Beijing(2027, 1, 1));
  EXPECT_EQ(p->label, "2026Q4");

  args = Args("stats");
  args.year = "2026";
  p = ParseAuditPeriod(args);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->to - p->from, absl::Hours(24 * 365));

  args = Args("breaches");
  args.from = "2026-11-01";
  args.to = "2026-12-01";
  p = ParseAuditPeriod(args);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->to, Beijing(2026, 12, 1));
}

TEST(AuditPeriodTest, BadPeriodsNameTheFlag) {
  struct Case {
    std::string month, quarter, year, from, to, flag;
  } cases[] = {
      {"2026-13", "", "", "", "", "--month"},
      {"2026/11", "", "", "", "", "--month"},
      {"", "2026Q5", "", "", "", "--quarter"},
      {"", "", "26", "", "", "--year"},
      {"", "", "", "2026-11-01", "", "--to"},
      {"", "", "", "2026-12-01", "2026-11-01", "--to"},
      {"", "", "", "yesterday", "2026-11-01", "--from"},
      {"2026-11", "", "2026", "", "", "one period"},
      {"", "", "", "", "", "give a period"},
  };
  for (const Case& c : cases) {
    AuditArgs args = Args("breaches");
    args.month = c.month;
    args.quarter = c.quarter;
    args.year = c.year;
    args.from = c.from;
    args.to = c.to;
    absl::StatusOr<AuditPeriod> p = ParseAuditPeriod(args);
    ASSERT_FALSE(p.ok()) << c.flag;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(c.flag));
  }
}

TEST(AuditArgsTest, EachCommandChecksWhatItNeeds) {
  AuditArgs timeline = Args("timeline");
  EXPECT_TRUE(CheckAuditArgs({"r-1"}, &timeline).ok());
  EXPECT_EQ(timeline.report_id, "r-1");
  AuditArgs both = Args("timeline");
  both.event_id = "ev";
  EXPECT_FALSE(CheckAuditArgs({"r-1"}, &both).ok());
  AuditArgs neither = Args("timeline");
  EXPECT_FALSE(CheckAuditArgs({}, &neither).ok());
  AuditArgs stats = Args("stats");
  stats.month = "2026-11";
  stats.by = "colour";
  EXPECT_THAT(CheckAuditArgs({}, &stats).message(), HasSubstr("--by"));
  AuditArgs unknown = Args("export-all");
  EXPECT_THAT(CheckAuditArgs({}, &unknown).message(),
              HasSubstr("unknown audit command"));
  AuditArgs skew = Args("skew");
  EXPECT_TRUE(CheckAuditArgs({}, &skew).ok());
}

TEST(AuditViewTest, CsvQuotesWhatNeedsItWithNamesBeijingTimesAndBom) {
  v1::ListBreachesResponse response;
  v1::BreachGroup* g = response.add_groups();
  v1::BreachEntry* e = g->add_entries();
  e->set_kind(v1::BREACH_KIND_LATE_HAND_OFF);
  e->set_responsible("140105000000");
  e->set_report_id("r-1");
  e->set_region_code("140105001000");
  e->mutable_breach()->set_rule(v1::DEADLINE_RULE_PER_HOP);
  e->mutable_breach()->set_detail("held 2h30m here, \"urgent\"");
  *e->mutable_breach()->mutable_start() =
      ToProto(absl::FromUnixSeconds(1790000000) - absl::Hours(2));
  *e->mutable_breach()->mutable_due() =
      ToProto(absl::FromUnixSeconds(1790000000));
  *e->mutable_breach()->mutable_met_at() =
      ToProto(absl::FromUnixSeconds(1790001800));
  *e->mutable_late_by() = ToDurationProto(absl::Minutes(30));
  SetDisplay({Lang::kEn, TimeZoneChoice::kBeijing});
  EXPECT_EQ(BreachesCsv(response),
            "\xEF\xBB\xBF"
            "responsible,responsible_name,kind,rule,budget_s,report_id,"
            "event_id,instruction_id,region,region_name,headline,due,met_at,"
            "late_by_s,outstanding,reviewed_by,reviewed_at,detail\n"
            "140105000000,小店区,LATE_HAND_OFF,"
            "hand-off to the next level (2h/level),7200.000,r-1,,,"
            "140105001000,坞城街道,,2026-09-21T22:13:20.000+08:00,"
            "2026-09-21T22:43:20.000+08:00,1800.000,false,,,"
            "\"held 2h30m here, \"\"urgent\"\"\"\n");
  SetDisplay({Lang::kEn, TimeZoneChoice::kUtc});
  EXPECT_THAT(BreachesCsv(response),
              HasSubstr(",2026-09-21T14:13:20.000Z,2026-09-21T14:43:20.000Z,"));
  SetDisplay({});
}

TEST(AuditViewTest, TheTwoProvinceRulesReadDistinctlyWithTheirBudgets) {
  v1::ListBreachesResponse response;
  auto add = [&](v1::BreachKind kind, v1::DeadlineRule rule,
                 absl::Duration budget) {
    v1::BreachGroup* g = response.add_groups();
    g->set_kind(kind);
    g->set_responsible("140100000000");
    v1::BreachEntry* e = g->add_entries();
    e->set_kind(kind);
    e->set_responsible("140100000000");
    e->set_report_id("r-2");
    e->mutable_breach()->set_rule(rule);
    const absl::Time due = absl::FromUnixSeconds(1790000000);
    *e->mutable_breach()->mutable_start() = ToProto(due - budget);
    *e->mutable_breach()->mutable_due() = ToProto(due);
    e->set_outstanding(true);
  };
  add(v1::BREACH_KIND_LATE_TO_PROVINCE, v1::DEADLINE_RULE_END_TO_END,
      absl::Hours(3));
  add(v1::BREACH_KIND_LATE_DIRECT_TO_PROVINCE,
      v1::DEADLINE_RULE_DIRECT_TO_PROVINCE, absl::Hours(1));
  const std::string table = FormatBreaches(response);
  EXPECT_THAT(table,
              HasSubstr("太原市 140100000000  late to the province, end "
                        "to end (from reportable), budget 3h: 1 breach"));
  EXPECT_THAT(table, HasSubstr("太原市 140100000000  grade I/II: late directly "
                               "to the province, budget 1h: 1 breach"));
  const std::string csv = BreachesCsv(response);
  EXPECT_THAT(csv, HasSubstr("LATE_TO_PROVINCE,\"reach the province (end to "
                             "end, 3h)\",10800.000"));
  EXPECT_THAT(csv, HasSubstr("LATE_DIRECT_TO_PROVINCE,grade I/II: reach the "
                             "province directly (1h),3600.000"));
}

}  // namespace
}  // namespace kuaibao
