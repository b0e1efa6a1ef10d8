#include "relay/national_submission.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "relay/proto_time.h"
#include "relay/relay_engine.h"
#include "relay/validation.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/sample_regions.h"
#include "tests/testing/sample_reports.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::FakeClock;
using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::SampleReport;
using ::kuaibao::testing::StatusIs;
using ::kuaibao::testing::TempDir;

constexpr char kProvince[] = "140000000000";
constexpr char kCounty[] = "140105000000";
constexpr char kTownship[] = "140105001000";

// The province's engine over a real LevelDB, a grade II report stored there
// by one of its duty officers.
class NationalSubmissionTest : public ::testing::Test {
 protected:
  NationalSubmissionTest() : regions_(testing::SampleRegions()) {
    Open();
    IncidentReport report = SampleReport("r-1", kTownship, clock_.TimeNow());
    report.set_grade(GRADE_II);
    absl::Notification done;
    engine_->Submit(officer_, report, [&](absl::StatusOr<Receipt> r) {
      EXPECT_THAT(r, IsOk());
      done.Notify();
    });
    done.WaitForNotification();
    received_ = clock_.TimeNow();
  }

  void Open() {
    national_.reset();
    engine_.reset();
    store_.reset();
    store_ = *ReportStore::Open(dir_.path(), {});
    RelayOptions options;
    options.region = kProvince;
    engine_ = *RelayEngine::Open(options, store_.get(), &regions_, &clock_);
    national_ = std::make_unique<NationalSubmissions>(store_.get(), kProvince,
                                                      ValidationLimits{});
  }

  absl::StatusOr<Forwarding> Record(const std::string& channel,
                                    absl::Time at = absl::InfinitePast(),
                                    const Identity* who = nullptr) {
    return national_->Record(who == nullptr ? officer_ : *who,
                             {"r-1", channel, at, ""}, clock_.TimeNow());
  }

  // The province's R5 deadline of r-1 as the engine sees it now.
  DeadlineStatus R5() {
    for (const DeadlineStatus& d :
         engine_->DeadlinesOf(*engine_->Timeline("r-1"), clock_.TimeNow())) {
      if (d.rule() == DEADLINE_RULE_PROVINCE_TO_NATIONAL) return d;
    }
    ADD_FAILURE() << "no R5 deadline";
    return {};
  }

  const Identity officer_ =
      *ParseIdentity("spiffe://kuaibao/client/140000000000/duty-1");
  FakeClock clock_;
  TempDir dir_;
  RegionTable regions_;
  std::unique_ptr<ReportStore> store_;
  std::unique_ptr<RelayEngine> engine_;
  std::unique_ptr<NationalSubmissions> national_;
  absl::Time received_;
};

TEST_F(NationalSubmissionTest, RecordMeetsTheFourHourDeadlineDurably) {
  EXPECT_EQ(R5().state(), DEADLINE_STATE_ON_TIME);
  clock_.Advance(absl::Hours(2));
  absl::StatusOr<Forwarding> recorded = Record("fax");
  ASSERT_THAT(recorded, IsOk());
  EXPECT_EQ(recorded->to(), kNationalUpstream);
  EXPECT_EQ(recorded->route(), ROUTE_OTHER_MEANS);
  EXPECT_EQ(recorded->channel(), "fax");
  EXPECT_EQ(recorded->recorded_by(), officer_.uri);
  EXPECT_EQ(FromProto(recorded->sent_at()), clock_.TimeNow());

  // Durable: a reopened store still has it, and R5 is met on time.
  Open();
  DeadlineStatus r5 = R5();
  EXPECT_EQ(r5.state(), DEADLINE_STATE_MET);
  EXPECT_EQ(FromProto(r5.met_at()), received_ + absl::Hours(2));
  EXPECT_EQ(r5.responsible(), kProvince);
}

TEST_F(NationalSubmissionTest, LateSubmissionIsMetLate) {
  clock_.Advance(absl::Hours(5));
  ASSERT_THAT(
      Record("telephone", received_ + absl::Hours(4) + absl::Minutes(30)),
      IsOk());
  DeadlineStatus r5 = R5();
  EXPECT_EQ(r5.state(), DEADLINE_STATE_MET_LATE);
  EXPECT_EQ(r5.responsible(), kProvince);
}

TEST_F(NationalSubmissionTest, RecordingAgainIsHarmlessAnotherChannelIsNot) {
  absl::StatusOr<Forwarding> first = Record("fax");
  ASSERT_THAT(first, IsOk());
  clock_.Advance(absl::Minutes(5));
  absl::StatusOr<Forwarding> again = Record("fax");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->sent_at().seconds(), first->sent_at().seconds());
  EXPECT_THAT(Record("telephone"), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(NationalSubmissionTest, RefusesWithTheReason) {
  const Identity county_officer =
      *ParseIdentity("spiffe://kuaibao/client/140105000000/duty-1");
  const Identity auditor =
      *ParseIdentity("spiffe://kuaibao/auditor/140000000000/audit-1");
  EXPECT_THAT(Record("fax", absl::InfinitePast(), &county_officer),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Record("fax", absl::InfinitePast(), &auditor),
              StatusIs(absl::StatusCode::kPermissionDenied));

  absl::Status empty = Record("").status();
  EXPECT_THAT(empty, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(empty), "channel");
  absl::Status early = Record("fax", received_ - absl::Minutes(1)).status();
  EXPECT_THAT(early, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ErrorField(early), "submitted_at");
  absl::Status future = Record("fax", received_ + absl::Hours(1)).status();
  EXPECT_EQ(ErrorField(future), "submitted_at");

  EXPECT_THAT(national_->Record(officer_,
                                {"r-unknown", "fax", absl::InfinitePast(), ""},
                                clock_.TimeNow()),
              StatusIs(absl::StatusCode::kNotFound));
  NationalSubmissions at_county(store_.get(), kCounty, ValidationLimits{});
  EXPECT_THAT(
      at_county.Record(county_officer, {"r-1", "fax", absl::InfinitePast(), ""},
                       clock_.TimeNow()),
      StatusIs(absl::StatusCode::kFailedPrecondition));
  // None of the refusals recorded anything.
  EXPECT_EQ(R5().state(), DEADLINE_STATE_ON_TIME);
}

}  // namespace
}  // namespace kuaibao
