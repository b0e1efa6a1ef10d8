#ifndef KUAIBAO_RELAY_CONFLICT_RECORD_H_
#define KUAIBAO_RELAY_CONFLICT_RECORD_H_

#include <string>

#include "absl/time/time.h"
#include "relay/report_types.h"

namespace kuaibao {

// The record of a report refused because `stored` already holds its id: who
// sent it, when, and the digests of both, so that an auditor can tell a
// careless resend from tampering without the refused content being kept.
ConflictRecord MakeConflictRecord(const IncidentReport& offered,
                                  const IncidentReport& stored,
                                  const std::string& sender, absl::Time at);

// SHA-256 of a report as encoded, in lowercase hex.
std::string ReportDigest(const IncidentReport& report);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_CONFLICT_RECORD_H_
