#ifndef KUAIBAO_TESTS_INTEGRATION_DELIVERY_CHECK_H_
#define KUAIBAO_TESTS_INTEGRATION_DELIVERY_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "relay/report_types.h"
#include "tests/integration/test_client.h"
#include "tests/testing/history.h"

namespace kuaibao::testing {

// The counting checker's two halves over real nodes, shared by the fault
// tests and the multi-host test.

// Submits `reports` on one stream and records every outcome in `history`.
void SubmitRecorded(TestClient client,
                    const std::vector<IncidentReport>& reports,
                    History* history);

// How many numbers the origins are missing, all told.
uint64_t MissingNumbers(const std::vector<OriginRecord>& origins);

// The counts at the top node `top`: what it holds against the history
// (waiting up to two minutes for every acknowledged report), and the
// origins' missing numbers; prints them as one JSON line and fails the test
// on anything lost, doubled, unexpected or missing.
Counts CheckAtTop(TestClient top, const History& history,
                  const std::string& scenario, uint64_t seed);

}  // namespace kuaibao::testing

#endif  // KUAIBAO_TESTS_INTEGRATION_DELIVERY_CHECK_H_
