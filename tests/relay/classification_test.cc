#include "relay/classification.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relay/validation.h"
#include "tests/testing/status_matchers.h"

namespace kuaibao {
namespace {

using ::kuaibao::testing::IsOk;
using ::kuaibao::testing::StatusIs;

IncidentReport At(Classification level) {
  IncidentReport report;
  report.set_classification(level);
  return report;
}

TEST(ClassificationTest, LevelsAtOrBelowTheClearancePass) {
  struct Case {
    Classification report, cleared;
    bool passes;
  };
  for (const Case& c : {
           Case{CLASSIFICATION_UNSPECIFIED, CLASSIFICATION_PUBLIC, true},
           Case{CLASSIFICATION_PUBLIC, CLASSIFICATION_PUBLIC, true},
           Case{CLASSIFICATION_INTERNAL, CLASSIFICATION_PUBLIC, false},
           Case{CLASSIFICATION_INTERNAL, CLASSIFICATION_UNSPECIFIED, false},
           Case{CLASSIFICATION_SECRET, CLASSIFICATION_INTERNAL, false},
           Case{CLASSIFICATION_SECRET, CLASSIFICATION_SECRET, true},
           Case{CLASSIFICATION_CONFIDENTIAL, CLASSIFICATION_TOP_SECRET, true},
           Case{CLASSIFICATION_TOP_SECRET, CLASSIFICATION_CONFIDENTIAL, false},
       }) {
    absl::Status s = CheckCleared(At(c.report), c.cleared, "this node");
    EXPECT_EQ(s.ok(), c.passes) << c.report << " vs " << c.cleared;
  }
}

TEST(ClassificationTest, RefusalNamesTheFieldAndTheLevelsOnly) {
  absl::Status s =
      CheckCleared(At(CLASSIFICATION_SECRET), CLASSIFICATION_INTERNAL,
                   "the link to 140100000000");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(ErrorField(s), "classification");
  EXPECT_EQ(s.message(),
            "classification: a SECRET report is above what the link to "
            "140100000000 is cleared for (INTERNAL)");
  EXPECT_EQ(ClassificationName(static_cast<Classification>(99)), "99");
}

}  // namespace
}  // namespace kuaibao
