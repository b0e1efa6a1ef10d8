// The client's shared helpers for people: languages, Beijing time, region
// names from the embedded table.

#include "client/locale.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "client/beijing_time.h"
#include "client/command_help.h"
#include "client/csv.h"
#include "client/display.h"
#include "client/format.h"
#include "client/region_names.h"
#include "client/report_view.h"
#include "kuaibao/v1/report.pb.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

TEST(LocaleTest, LangFollowsTheEnvironment) {
  EXPECT_EQ(LangFromEnv("zh_CN.UTF-8"), Lang::kZh);
  EXPECT_EQ(LangFromEnv("zh_TW"), Lang::kZh);
  EXPECT_EQ(LangFromEnv("en_US.UTF-8"), Lang::kEn);
  EXPECT_EQ(LangFromEnv("C"), Lang::kEn);
  EXPECT_EQ(LangFromEnv(nullptr), Lang::kEn);
}

TEST(LocaleTest, ParseLangAcceptsCodesAndRefusesOthers) {
  EXPECT_EQ(*ParseLang("zh"), Lang::kZh);
  EXPECT_EQ(*ParseLang("ZH-cn"), Lang::kZh);
  EXPECT_EQ(*ParseLang("en_US"), Lang::kEn);
  const absl::StatusOr<Lang> bad = ParseLang("fr");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--lang"), absl::string_view::npos);
  EXPECT_FALSE(ParseLang("zhx").ok());
}

TEST(LocaleTest, SayPicksTheLanguage) {
  EXPECT_EQ(Say(Lang::kZh, phrases::kMetLate), "迟报");
  EXPECT_EQ(Say(Lang::kEn, phrases::kMetLate), "met late");
}

// 2026-11-28 12:40:01.123 UTC is 20:40:01.123 in Beijing.
absl::Time Sample() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 28, 12, 40, 1),
                         absl::UTCTimeZone()) +
         absl::Milliseconds(123);
}

TEST(BeijingTimeTest, ShowsBeijingTimeWithItsOffsetOrUtc) {
  EXPECT_EQ(FormatDisplayTime(Sample(), TimeZoneChoice::kBeijing),
            "2026-11-28 20:40:01.123+08:00");
  EXPECT_EQ(FormatDisplayTime(Sample(), TimeZoneChoice::kUtc),
            "2026-11-28 12:40:01.123Z");
  EXPECT_EQ(FormatDisplayTimeOfDay(Sample(), TimeZoneChoice::kBeijing),
            "20:40:01.123+08:00");
  EXPECT_EQ(FormatIsoTime(Sample(), TimeZoneChoice::kBeijing),
            "2026-11-28T20:40:01.123+08:00");
  EXPECT_EQ(FormatIsoTime(Sample(), TimeZoneChoice::kUtc),
            "2026-11-28T12:40:01.123Z");
}

TEST(BeijingTimeTest, DaysChangeAtBeijingMidnight) {
  // 16:30 UTC is 00:30 the next day in Beijing.
  const absl::Time evening = absl::FromCivil(
      absl::CivilSecond(2026, 11, 28, 15, 30, 0), absl::UTCTimeZone());
  const absl::Time later = evening + absl::Hours(1);
  EXPECT_FALSE(SameDisplayDay(evening, later, TimeZoneChoice::kBeijing));
  EXPECT_TRUE(SameDisplayDay(evening, later, TimeZoneChoice::kUtc));
}

TEST(BeijingTimeTest, ParsesLocalAndOffsetTimes) {
  const absl::Time at = absl::FromCivil(
      absl::CivilSecond(2026, 11, 28, 12, 40, 0), absl::UTCTimeZone());
  EXPECT_EQ(*ParseDisplayTime("2026-11-28 20:40", TimeZoneChoice::kBeijing,
                              "--occurred-at"),
            at);
  EXPECT_EQ(*ParseDisplayTime("2026-11-28T20:40:00+08:00", TimeZoneChoice::kUtc,
                              "--occurred-at"),
            at);
  EXPECT_EQ(*ParseDisplayTime("2026-11-28 12:40:00", TimeZoneChoice::kUtc,
                              "--occurred-at"),
            at);
  const absl::StatusOr<absl::Time> bad =
      ParseDisplayTime("yesterday", TimeZoneChoice::kBeijing, "--occurred-at");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("--occurred-at: ", 0), 0u);
}

TEST(RegionNamesTest, TheEmbeddedTableHoldsTheWholeProvince) {
  // One province, 11 cities, and every county and township of the CSV.
  int cities = 0;
  for (const Region& region : EmbeddedRegions().regions()) {
    if (region.level == Level::kCity) ++cities;
  }
  EXPECT_EQ(cities, 11);
  EXPECT_GT(EmbeddedRegions().size(), 1400u);
}

TEST(RegionNamesTest, NamesCodesAtEveryLevel) {
  EXPECT_EQ(RegionName("140000000000"), "山西省");
  EXPECT_EQ(RegionName("140100000000"), "太原市");
  EXPECT_EQ(RegionName("140105000000"), "小店区");
  EXPECT_EQ(FindRegion("140100000000")->level, Level::kCity);
  EXPECT_EQ(LevelLabel(Level::kCity, Lang::kZh), "市");
  EXPECT_EQ(LevelLabel(Level::kCounty, Lang::kEn), "county");
  // A village is named by its township.
  const std::string township = RegionName("141182108000");
  EXPECT_EQ(township, "峪道河镇");
  EXPECT_EQ(RegionName("141182108201"), township);
}

TEST(RegionNamesTest, LabelsKeepTheCodeAndFallBackToIt) {
  EXPECT_EQ(RegionLabel("140100000000"), "太原市 140100000000");
  EXPECT_EQ(RegionFullLabel("140105000000"), "太原市 小店区 (140105000000)");
  EXPECT_EQ(RegionFullLabel("140000000000"), "山西省 (140000000000)");
  EXPECT_EQ(RegionLabel("149900000000"), "149900000000");
  EXPECT_EQ(RegionName("149900000000"), "");
  EXPECT_EQ(RegionLabel(""), "-");
  EXPECT_EQ(RegionName("not a code"), "");
}

TEST(RegionNamesTest, DepartmentNodesAreNamedByTheirOffice) {
  // The province's own body, and the line's office in a city or county.
  EXPECT_EQ(RegionName("140000000000:yjglt"), "山西省应急管理厅");
  EXPECT_EQ(RegionName("140105000000:yjglt"), "小店区应急管理局");
  EXPECT_EQ(RegionLabel("140105000000:yjglt"),
            "小店区应急管理局 140105000000:yjglt");
  EXPECT_EQ(ResponsibleName("spiffe://kuaibao/node/140100000000/dept/gat"),
            "太原市公安局");
  // A client is named by its region's government; its own name follows.
  EXPECT_EQ(ResponsibleLabel("spiffe://kuaibao/client/140105000000/duty-1"),
            "小店区 client/140105000000/duty-1");
  // An unknown department stays a code.
  EXPECT_EQ(RegionLabel("140105000000:nosuch"), "140105000000:nosuch");
}

TEST(CsvTest, QuotesWhatNeedsItAndStartsWithTheBom) {
  EXPECT_EQ(CsvLine({"太原市", "a,b", "say \"hi\"", "x\ny"}),
            "太原市,\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\n");
  EXPECT_EQ(kUtf8Bom, "\xEF\xBB\xBF");
}

// The layout tests elsewhere in client_test pin UTC and English (the --utc
// mode, exact to the character); the tests here check the defaults.
class PinnedDisplay : public ::testing::Environment {
 public:
  void SetUp() override { SetDisplay({Lang::kEn, TimeZoneChoice::kUtc}); }
};
const auto* const kPinned =
    ::testing::AddGlobalTestEnvironment(new PinnedDisplay);

// Restores the pinned display when a test that changed it ends.
class DisplayTest : public ::testing::Test {
 protected:
  void TearDown() override { SetDisplay({Lang::kEn, TimeZoneChoice::kUtc}); }
};

TEST_F(DisplayTest, TheDefaultIsBeijingTime) {
  SetDisplay(Display{});
  EXPECT_EQ(Display{}.zone, TimeZoneChoice::kBeijing);
  const google::protobuf::Timestamp t = ToProto(Sample());
  EXPECT_EQ(FormatTimestamp(t), "2026-11-28 20:40:01.123+08:00");
  // The same UTC day, but not the same Beijing day: the full date.
  const google::protobuf::Timestamp late_evening =
      ToProto(Sample() + absl::Hours(4));
  EXPECT_EQ(FormatTimeOfDay(late_evening, t), "2026-11-29 00:40:01.123+08:00");
  EXPECT_EQ(FormatTimeOfDay(t, t), "20:40:01.123+08:00");
  v1::Receipt receipt;
  receipt.set_report_id("r-1");
  receipt.set_node("140105001000");
  *receipt.mutable_received_at() = t;
  EXPECT_EQ(FormatReceipt(receipt),
            "stored   r-1  at node 140105001000  received 2026-11-28 "
            "20:40:01.123+08:00");
  SetDisplay({Lang::kEn, TimeZoneChoice::kUtc});
  EXPECT_EQ(FormatTimestamp(t), "2026-11-28 12:40:01.123Z");
}

TEST_F(DisplayTest, ShowAndListSpeakChineseWithNames) {
  SetDisplay({Lang::kZh, TimeZoneChoice::kBeijing});
  v1::StoredReport stored;
  v1::IncidentReport& report = *stored.mutable_report();
  report.set_report_id("r-1");
  report.set_event_id("140105001000-20261203-0001");
  report.set_kind(v1::REPORT_KIND_FOLLOW_UP);
  report.set_grade(v1::GRADE_II);
  report.set_category(v1::CATEGORY_NATURAL_DISASTER);
  report.set_trend(v1::TREND_ESCALATING);
  report.mutable_location()->set_region_code("140105001000");
  report.set_headline("暴雨内涝");
  v1::HopRecord& hop = *stored.add_hops();
  hop.set_node("140105001000");
  hop.set_received_from("spiffe://kuaibao/client/140105001000/duty-1");
  *hop.mutable_received_at() = ToProto(Sample());
  v1::Forwarding& forwarding = *hop.add_forwarded();
  forwarding.set_to("140105000000:yjglt");
  forwarding.set_route(v1::ROUTE_ACROSS);
  *forwarding.mutable_sent_at() = ToProto(Sample() + absl::Seconds(1));

  const std::string text = FormatReport(report);
  EXPECT_THAT(text, ::testing::HasSubstr("报告类型：      续报\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("等级：          Ⅱ级（重大）\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("类别：          自然灾害\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("发展趋势：      扩大\n"));
  EXPECT_THAT(text,
              ::testing::HasSubstr("发生地：        坞城街道 140105001000\n"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("FOLLOW_UP")));
  const std::string hops = FormatHopTimeline(stored);
  EXPECT_THAT(hops, ::testing::HasSubstr("报往"));
  EXPECT_THAT(hops, ::testing::HasSubstr(
                        "小店区应急管理局 140105000000:yjglt（横向）"));
  EXPECT_THAT(hops, ::testing::HasSubstr("时间为北京时间"));
  // Spans in Chinese units, as the console writes them.
  EXPECT_THAT(hops, ::testing::HasSubstr("1.000秒"));
  EXPECT_EQ(FormatShortDuration(absl::Seconds(27636)), "7小时40分36秒");
  EXPECT_THAT(FormatListLine(stored),
              ::testing::HasSubstr("续报        Ⅱ级（重大）"));
  EXPECT_THAT(FormatListLine(stored), ::testing::HasSubstr("坞城街道"));
}

TEST_F(DisplayTest, ChineseWordsForRulesAndStates) {
  SetDisplay({Lang::kZh, TimeZoneChoice::kBeijing});
  const absl::Time due = Sample();
  EXPECT_EQ(DeadlineRuleInWords(v1::DEADLINE_RULE_END_TO_END,
                                ToProto(due - absl::Hours(3)), ToProto(due)),
            "报达省政府 (端到端 3小时)");
  EXPECT_EQ(DeadlineRuleInWords(v1::DEADLINE_RULE_DIRECT_TO_PROVINCE,
                                ToProto(due - absl::Hours(1)), ToProto(due)),
            "Ⅰ/Ⅱ级：直报省政府 (1小时)");
  EXPECT_EQ(DeadlineStateLabel(v1::DEADLINE_STATE_MET_LATE), "迟报");
  SetDisplay({Lang::kEn, TimeZoneChoice::kBeijing});
  EXPECT_EQ(DeadlineStateLabel(v1::DEADLINE_STATE_MET_LATE), "MET LATE");
}

constexpr char kSampleUsage[] = R"(usage: kuaibao [flags] COMMAND [args]

Commands:
  submit [FILE|-]     Send reports.
                      More about submit.
  show REPORT_ID      Print a report.
  audit breaches --from=DATE
                      Breaches.
  audit review ABOUT  Mark one reviewed.

Flags:
  --node=HOST:PORT    the node
  --all               due: also the met ones
  --rule=RULE         audit review: the rule
)";

TEST(CommandHelpTest, OnlyThatCommand) {
  const std::string submit = CommandHelp(kSampleUsage, "submit");
  EXPECT_THAT(submit, ::testing::HasSubstr(
                          "  submit [FILE|-]     Send reports.\n"
                          "                      More about submit.\n"));
  EXPECT_THAT(submit, ::testing::Not(::testing::HasSubstr("show")));
  EXPECT_THAT(submit, ::testing::HasSubstr("kuaibao --help"));
  const std::string audit = CommandHelp(kSampleUsage, "audit");
  EXPECT_THAT(audit, ::testing::HasSubstr("audit breaches"));
  EXPECT_THAT(audit, ::testing::HasSubstr("audit review"));
  const std::string review = CommandHelp(kSampleUsage, "audit review");
  EXPECT_THAT(review, ::testing::Not(::testing::HasSubstr("audit breaches")));
  EXPECT_THAT(review, ::testing::HasSubstr("--rule=RULE"));
  EXPECT_EQ(CommandHelp(kSampleUsage, "sub"), "");
  EXPECT_EQ(CommandHelp(kSampleUsage, "nosuch"), "");
}

}  // namespace
}  // namespace kuaibao
