// The client's shared helpers for people: languages, Beijing time, region
// names from the embedded table.

#include "client/locale.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "client/beijing_time.h"
#include "client/csv.h"
#include "client/region_names.h"

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

TEST(CsvTest, QuotesWhatNeedsItAndStartsWithTheBom) {
  EXPECT_EQ(CsvLine({"太原市", "a,b", "say \"hi\"", "x\ny"}),
            "太原市,\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\n");
  EXPECT_EQ(kUtf8Bom, "\xEF\xBB\xBF");
}

}  // namespace
}  // namespace kuaibao
