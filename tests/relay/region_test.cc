#include "relay/region.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;

TEST(RegionTest, LevelFollowsFromSignificantDigits) {
  struct Case {
    const char* code;
    Level level;
  };
  for (const Case& c : {
           Case{"140000000000", Level::kProvince},
           Case{"140100000000", Level::kCity},
           Case{"141000000000", Level::kCity},
           Case{"140105000000", Level::kCounty},
           Case{"140105001000", Level::kTownship},
           Case{"140105100000", Level::kTownship},
           Case{"140105001002", Level::kVillage},
       }) {
    absl::StatusOr<Level> level = LevelOf(c.code);
    ASSERT_THAT(level, IsOk()) << c.code;
    EXPECT_EQ(*level, c.level) << c.code;
  }
}

TEST(RegionTest, MalformedCodesAreRefused) {
  for (const char* code : {"", "14", "1401050010000", "14010500100a",
                           "000000000000", "14010500100 "}) {
    EXPECT_THAT(LevelOf(code), StatusIs(absl::StatusCode::kInvalidArgument))
        << "'" << code << "'";
  }
}

TEST(RegionTest, ContainsIsAPrefixTestOnSignificantDigits) {
  EXPECT_TRUE(RegionContains("140000000000", "140105001000"));
  EXPECT_TRUE(RegionContains("140100000000", "140105000000"));
  EXPECT_TRUE(RegionContains("140105000000", "140105000000"));
  EXPECT_TRUE(RegionContains("140105001000", "140105001002"));
  EXPECT_FALSE(RegionContains("140105000000", "140106001000"));
  EXPECT_FALSE(RegionContains("140105001000", "140105000000"));
  // "1401" is not a prefix of "1410..." even though "14" is.
  EXPECT_FALSE(RegionContains("140100000000", "141000000000"));
  EXPECT_FALSE(RegionContains("bogus", "140105000000"));
}

TEST(RegionTest, ParentCodeDropsOneLevel) {
  EXPECT_EQ(ParentCode("140105001000"), "140105000000");
  EXPECT_EQ(ParentCode("140105000000"), "140100000000");
  EXPECT_EQ(ParentCode("140100000000"), "140000000000");
  EXPECT_EQ(ParentCode("140000000000"), "");
}

constexpr char kTable[] =
    "code12,level,name,parent_code12\n"
    "140000000000,province,山西省,\n"
    "140100000000,city,太原市,140000000000\n"
    "140105000000,county,小店区,140100000000\n"
    "140105001000,township,坞城街道,140105000000\n";

TEST(RegionTableTest, ParsesAndFinds) {
  absl::StatusOr<RegionTable> table = RegionTable::Parse(kTable);
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->size(), 4u);
  ASSERT_NE(table->Find("140105000000"), nullptr);
  EXPECT_EQ(table->Find("140105000000")->name, "小店区");
  EXPECT_EQ(table->Describe("140100000000"), "太原市 (140100000000)");
  EXPECT_THAT(table->CheckKnown("140105001000"), IsOk());
  EXPECT_THAT(table->CheckKnown("140105001007"), IsOk());  // its village
  EXPECT_THAT(table->CheckKnown("140199000000"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RegionTableTest, RefusesBrokenTables) {
  const char* header = "code12,level,name,parent_code12\n";
  for (std::string rows : {
           std::string("140000000000,province,山西省\n"),  // 3 columns
           std::string("140000000000,city,山西省,\n"),     // level mismatch
           std::string("140000000000,province,山西省,\n"
                       "140000000000,province,山西省,\n"),          // duplicate
           std::string("140100000000,city,太原市,140000000000\n"),  // no parent
           std::string(""),
       }) {
    EXPECT_THAT(RegionTable::Parse(header + rows),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << rows;
  }
}

TEST(RegionTableTest, ShippedShanxiTableLoads) {
  absl::StatusOr<RegionTable> table =
      RegionTable::Load(KUAIBAO_SOURCE_DIR "/deploy/regions/shanxi-2022.csv");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->size(), 1485u);
  EXPECT_EQ(table->Find("140000000000")->name, "山西省");
}

}  // namespace
}  // namespace kuaibao
