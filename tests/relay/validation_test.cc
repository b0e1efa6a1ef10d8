#include "relay/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::SampleReport;
using ::kuaibao::testing::StatusIs;

class ValidationTest : public ::testing::Test {
 protected:
  ValidationTest()
      : regions_(*RegionTable::Parse(
            "code12,level,name,parent_code12\n"
            "140000000000,province,山西省,\n"
            "140100000000,city,太原市,140000000000\n"
            "140105000000,county,小店区,140100000000\n"
            "140105001000,township,坞城街道,140105000000\n")) {}

  const absl::Time now_ = absl::FromUnixSeconds(1790000000);
  RegionTable regions_;
};

TEST_F(ValidationTest, CompleteReportPasses) {
  EXPECT_THAT(
      ValidateReport(SampleReport("r-1", "140105001000", now_), regions_, now_),
      IsOk());
}

TEST_F(ValidationTest, EachBrokenFieldIsNamed) {
  struct Case {
    const char* field;
    std::function<void(IncidentReport*)> breakit;
  };
  const absl::Time now = now_;
  std::vector<Case> cases = {
      {"report_id", [](IncidentReport* r) { r->clear_report_id(); }},
      {"report_id", [](IncidentReport* r) { r->set_report_id("a b"); }},
      {"event_id", [](IncidentReport* r) { r->clear_event_id(); }},
      {"kind", [](IncidentReport* r) { r->clear_kind(); }},
      {"status", [](IncidentReport* r) { r->clear_status(); }},
      {"category", [](IncidentReport* r) { r->clear_category(); }},
      {"category",
       [](IncidentReport* r) { r->set_category(static_cast<Category>(42)); }},
      {"grade", [](IncidentReport* r) { r->clear_grade(); }},
      {"location.region_code",
       [](IncidentReport* r) { r->mutable_location()->clear_region_code(); }},
      {"location.region_code",
       [](IncidentReport* r) {
         r->mutable_location()->set_region_code("140199000000");
       }},
      {"location.region_code",
       [](IncidentReport* r) { r->mutable_location()->set_region_code("14"); }},
      {"unit.name", [](IncidentReport* r) { r->mutable_unit()->clear_name(); }},
      {"headline", [](IncidentReport* r) { r->clear_headline(); }},
      {"headline",
       [](IncidentReport* r) { r->set_headline(std::string(300, 'x')); }},
      {"occurred_at", [](IncidentReport* r) { r->clear_occurred_at(); }},
      {"occurred_at",
       [now](IncidentReport* r) {
         *r->mutable_occurred_at() = ToProto(now + absl::Hours(2));
       }},
      {"occurred_at",
       [](IncidentReport* r) {
         *r->mutable_occurred_at() = ToProto(absl::FromUnixSeconds(86400));
       }},
      {"supersedes",
       [](IncidentReport* r) {
         r->set_kind(REPORT_KIND_FOLLOW_UP);
         r->set_event_seq(1);
       }},
      {"event_seq",
       [](IncidentReport* r) {
         r->set_kind(REPORT_KIND_FINAL);
         r->set_supersedes("r-0");
       }},
  };
  for (const Case& c : cases) {
    IncidentReport report = SampleReport("r-1", "140105001000", now_);
    c.breakit(&report);
    absl::Status s = ValidateReport(report, regions_, now_);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_EQ(ErrorField(s), c.field) << s;
    EXPECT_THAT(std::string(s.message()), ::testing::StartsWith(c.field));
  }
}

}  // namespace
}  // namespace kuaibao
