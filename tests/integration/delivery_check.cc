#include "tests/integration/delivery_check.h"

#include <gtest/gtest.h>

#include <iostream>

#include "tests/testing/status_matchers.h"

namespace kuaibao::testing {

void SubmitRecorded(TestClient client,
                    const std::vector<IncidentReport>& reports,
                    History* history) {
  for (const IncidentReport& r : reports) history->Attempted(r.report_id());
  SubmitOutcome outcome = client.Submit(reports);
  for (const v1::SubmitResponse& response : outcome.responses) {
    if (response.has_receipt()) {
      history->Acknowledged(response.receipt().report_id());
    } else {
      history->Refused(response.rejection().report_id());
    }
  }
}

uint64_t MissingNumbers(const std::vector<OriginRecord>& origins) {
  uint64_t missing = 0;
  for (const OriginRecord& o : origins) {
    for (const SequenceGap& g : o.gaps()) missing += g.last() - g.first() + 1;
  }
  return missing;
}

Counts CheckAtTop(TestClient top, const History& history,
                  const std::string& scenario, uint64_t seed) {
  std::vector<StoredReport> held =
      top.WaitForCount(history.acknowledged(), absl::Seconds(120));
  std::vector<std::string> delivered;
  for (const StoredReport& r : held) {
    delivered.push_back(r.report().report_id());
  }
  absl::StatusOr<std::vector<OriginRecord>> origins = top.Origins();
  EXPECT_THAT(origins, IsOk());
  uint64_t gaps = 0;
  if (origins.ok()) {
    for (const OriginRecord& o : *origins) {
      EXPECT_EQ(o.reused(), 0u) << o.origin();
      EXPECT_EQ(o.count(), o.high_water()) << o.origin();
    }
    gaps = MissingNumbers(*origins);
  }
  Counts c = history.Check(delivered, gaps);
  std::cout << c.Json(scenario, seed) << "\n";
  EXPECT_EQ(c.lost, 0u) << "acknowledged but not delivered";
  EXPECT_EQ(c.duplicated, 0u);
  EXPECT_EQ(c.unexpected, 0u);
  EXPECT_EQ(c.gaps, 0u);
  return c;
}

}  // namespace kuaibao::testing
