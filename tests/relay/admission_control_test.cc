#include "relay/admission_control.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1 << 20;

TEST(AdmissionControlTest, RefusesAtTheQuotaAndResumesBelowNinetyFivePercent) {
  AdmissionControl admission("140105001000", {100 * kMiB, 10 * kMiB});
  EXPECT_FALSE(admission.Update({99 * kMiB, 500 * kMiB}));
  EXPECT_THAT(admission.Check(), IsOk());
  EXPECT_TRUE(admission.Update({100 * kMiB, 500 * kMiB}));
  absl::Status refused = admission.Check();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("node 140105001000 takes no new reports: its store "
                        "holds 100 MiB, at its limit of 100 MiB "
                        "(max_store_bytes); it takes them again below 95 MiB"));
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("already acknowledged are kept"));
  // Not yet: 96 MiB is inside the hysteresis band.
  EXPECT_FALSE(admission.Update({96 * kMiB, 500 * kMiB}));
  EXPECT_FALSE(admission.Check().ok());
  EXPECT_TRUE(admission.Update({94 * kMiB, 500 * kMiB}));
  EXPECT_THAT(admission.Check(), IsOk());
}

TEST(AdmissionControlTest, RefusesBelowTheDiskReserveAndResumesAbove) {
  AdmissionControl admission("140105000000", {0, 100 * kMiB});
  EXPECT_FALSE(admission.Update({uint64_t{1} << 40, 101 * kMiB}));
  EXPECT_THAT(admission.Check(), IsOk()) << "no store quota set";
  EXPECT_TRUE(admission.Update({0, 99 * kMiB}));
  EXPECT_THAT(std::string(admission.Check().message()),
              HasSubstr("the disk holding its store has 99 MiB free, below "
                        "the reserve of 100 MiB (min_free_disk_bytes); it "
                        "takes them again when 105 MiB are free"));
  EXPECT_FALSE(admission.Update({0, 104 * kMiB}));
  EXPECT_TRUE(admission.Update({0, 105 * kMiB}));
  EXPECT_THAT(admission.Check(), IsOk());
  EXPECT_EQ(admission.usage().free_bytes, 105 * kMiB);
}

TEST(AdmissionControlTest, RefusesAtTheBacklogQuotaAndResumesAsItDrains) {
  AdmissionControl admission("140105001000", {0, 10 * kMiB, 20 * kMiB});
  EXPECT_FALSE(admission.Update({uint64_t{1} << 40, 500 * kMiB, 19 * kMiB}));
  EXPECT_THAT(admission.Check(), IsOk()) << "history does not count";
  EXPECT_TRUE(admission.UpdateBacklog(20 * kMiB));
  absl::Status refused = admission.Check();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("node 140105001000 takes no new reports: 20 MiB of "
                        "reports wait for the upstream's acknowledgement, at "
                        "its limit of 20 MiB (max_backlog_bytes); it takes "
                        "them again by itself once the upstream has taken "
                        "enough that less than 19 MiB wait"));
  // A disk measurement keeps the backlog's verdict.
  EXPECT_FALSE(admission.Update({0, 500 * kMiB, 20 * kMiB}));
  EXPECT_FALSE(admission.UpdateBacklog(19 * kMiB + 1));
  EXPECT_TRUE(admission.UpdateBacklog(18 * kMiB));
  EXPECT_THAT(admission.Check(), IsOk());
  EXPECT_EQ(admission.usage().free_bytes, 500 * kMiB);
}

TEST(AdmissionControlTest, FormatsBytesForPeople) {
  EXPECT_EQ(FormatBytes(17), "17 B");
  EXPECT_EQ(FormatBytes(12 * 1024), "12 KiB");
  EXPECT_EQ(FormatBytes(1536 * kMiB), "1.5 GiB");
}

}  // namespace
}  // namespace kuaibao
