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
      // Empty is allowed: the first node numbers a new event.
      {"event_id", [](IncidentReport* r) { r->set_event_id("a b"); }},
      {"event_label", [](IncidentReport* r) { r->set_event_label("a/b"); }},
      {"authored_at",
       [](IncidentReport* r) { r->mutable_authored_at()->set_nanos(-1); }},
      {"harm.as_of",
       [](IncidentReport* r) {
         r->mutable_harm()->mutable_as_of()->set_seconds(253402300800);
       }},
      {"source.outlet",
       [](IncidentReport* r) {
         r->mutable_source()->set_kind(SOURCE_KIND_MEDIA);
       }},
      {"source.learned_at",
       [](IncidentReport* r) {
         r->mutable_source()->set_kind(SOURCE_KIND_PUBLIC_TIP);
       }},
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
      {"supersedes", [](IncidentReport* r) { r->set_supersedes("r-1"); }},
      {"origin", [](IncidentReport* r) { r->set_origin("duty-1"); }},
      {"origin",
       [](IncidentReport* r) {
         r->set_origin("spiffe://kuaibao/node/140105001000");
       }},
      {"sensitivity",
       [](IncidentReport* r) {
         for (int i = 0; i < 17; ++i) {
           r->add_sensitivity(SENSITIVITY_REASON_OTHER);
         }
       }},
      {"next_report_due",
       [now](IncidentReport* r) {
         *r->mutable_next_report_due() = ToProto(now + absl::Hours(24 * 400));
       }},
      {"unit.preparer",
       [](IncidentReport* r) {
         r->mutable_unit()->set_preparer(std::string(2000, 'x'));
       }},
      {"unit.phone",
       [](IncidentReport* r) {
         r->mutable_unit()->set_phone(std::string(2000, '1'));
       }},
      {"unit.authorized_by",
       [](IncidentReport* r) {
         r->mutable_unit()->set_authorized_by(std::string(2000, 'x'));
       }},
      {"course",
       [](IncidentReport* r) { r->set_course(std::string(70000, 'x')); }},
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

// A value outside an enum (a newer sender, or a broken one) is named as such,
// not as a missing field; the zero value is still "is required".
TEST_F(ValidationTest, OutOfRangeEnumsSayUnknownValue) {
  struct Case {
    const char* field;
    std::function<void(IncidentReport*)> breakit;
  };
  std::vector<Case> cases = {
      {"kind",
       [](IncidentReport* r) { r->set_kind(static_cast<ReportKind>(77)); }},
      {"status",
       [](IncidentReport* r) { r->set_status(static_cast<ReportStatus>(77)); }},
      {"category",
       [](IncidentReport* r) { r->set_category(static_cast<Category>(77)); }},
      {"grade",
       [](IncidentReport* r) { r->set_grade(static_cast<Grade>(77)); }},
      {"classification",
       [](IncidentReport* r) {
         r->set_classification(static_cast<Classification>(77));
       }},
      {"trend",
       [](IncidentReport* r) { r->set_trend(static_cast<Trend>(77)); }},
      {"sensitivity",
       [](IncidentReport* r) {
         r->add_sensitivity(static_cast<SensitivityReason>(77));
       }},
  };
  for (const Case& c : cases) {
    IncidentReport report = SampleReport("r-1", "140105001000", now_);
    c.breakit(&report);
    absl::Status s = ValidateReport(report, regions_, now_);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_EQ(ErrorField(s), c.field) << s;
    EXPECT_THAT(std::string(s.message()),
                ::testing::HasSubstr("unknown value 77"))
        << c.field;
  }
  IncidentReport report = SampleReport("r-1", "140105001000", now_);
  report.clear_grade();
  EXPECT_THAT(std::string(ValidateReport(report, regions_, now_).message()),
              ::testing::HasSubstr("is required"));
}

TEST_F(ValidationTest, ScheduledNextReportAndOriginPass) {
  IncidentReport report = SampleReport("r-1", "140105001000", now_);
  *report.mutable_next_report_due() = ToProto(now_ + absl::Hours(24));
  report.set_origin("spiffe://kuaibao/client/140105001000/duty-1");
  EXPECT_THAT(ValidateReport(report, regions_, now_), IsOk());
}

TEST_F(ValidationTest, EachBrokenHopFieldIsNamed) {
  StoredReport good;
  *good.mutable_report() = SampleReport("r-1", "140105001000", now_);
  HopRecord* hop = good.add_hops();
  hop->set_node("140105001000");
  hop->set_received_from("spiffe://kuaibao/client/140105001000/duty-1");
  *hop->mutable_received_at() = ToProto(now_ - absl::Minutes(1));
  *hop->mutable_stored_at() = ToProto(now_ - absl::Minutes(1));
  hop->add_forwarded()->set_to("140105000000");
  EXPECT_THAT(ValidateHops(good, now_), IsOk());

  struct Case {
    const char* field;
    std::function<void(StoredReport*)> breakit;
  };
  const absl::Time now = now_;
  std::vector<Case> cases = {
      {"hops",
       [](StoredReport* r) {
         for (int i = 0; i < 16; ++i) *r->add_hops() = r->hops(0);
       }},
      {"hops[0].node",
       [](StoredReport* r) { r->mutable_hops(0)->set_node("140105001001"); }},
      {"hops[0].node",
       [](StoredReport* r) { r->mutable_hops(0)->set_node("x"); }},
      {"hops[0].received_from",
       [](StoredReport* r) { r->mutable_hops(0)->set_received_from("me"); }},
      {"hops[0].received_at",
       [](StoredReport* r) { r->mutable_hops(0)->clear_received_at(); }},
      {"hops[0].stored_at",
       [now](StoredReport* r) {
         *r->mutable_hops(0)->mutable_stored_at() =
             ToProto(now + absl::Hours(1));
       }},
      {"hops[0].forwarded",
       [](StoredReport* r) {
         for (int i = 0; i < 8; ++i) r->mutable_hops(0)->add_forwarded();
       }},
      {"hops[0].breaches",
       [](StoredReport* r) {
         for (int i = 0; i < 33; ++i) r->mutable_hops(0)->add_breaches();
       }},
      {"hops[0].receipt.signer_chain_digest",
       [](StoredReport* r) {
         r->mutable_hops(0)->mutable_receipt()->set_signer_chain_digest(
             std::string(64, 'a'));
       }},
      {"other_paths",
       [](StoredReport* r) { *r->add_other_paths()->add_hops() = r->hops(0); }},
  };
  for (const Case& c : cases) {
    StoredReport relayed = good;
    c.breakit(&relayed);
    absl::Status s = ValidateHops(relayed, now_);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << c.field;
    EXPECT_EQ(ErrorField(s), c.field) << s;
  }
}

}  // namespace
}  // namespace kuaibao
