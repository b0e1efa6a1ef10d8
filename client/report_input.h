#ifndef KUAIBAO_CLIENT_REPORT_INPUT_H_
#define KUAIBAO_CLIENT_REPORT_INPUT_H_

// Turning what a user hands to `kuaibao submit` into reports: JSON parsing
// and report id assignment. Pure: no I/O, no gRPC.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kuaibao/v1/report.pb.h"

namespace kuaibao {

// Parses reports written in protobuf's JSON mapping of
// kuaibao.v1.IncidentReport. `text` is either one JSON object (possibly
// pretty-printed over many lines) or newline-delimited JSON, one object per
// line; blank lines are skipped. Unknown fields are errors: a misspelt field
// name must not silently drop what the author wrote.
//
// INVALID_ARGUMENT when the input holds no report or does not parse; the
// message starts with where ("line 3: " or "file: ") followed by protobuf's
// reason.
absl::StatusOr<std::vector<v1::IncidentReport>> ParseReports(
    absl::string_view text);

// A report that ParseReports returned without an id and the id it was given.
struct AssignedId {
  int number;  // 1-based position of the report in the input
  std::string report_id;
};

// The id of a report that came without one, derived from its content:
// "c-" and 32 hex digits of the SHA-256 of its deterministic encoding
// (without the id). Submitting the same input again gives the same ids, so
// the nodes acknowledge the resend as a duplicate and store nothing new; a
// changed report gets a new id.
std::string ContentReportId(const v1::IncidentReport& report);

// Gives every report without a report_id its ContentReportId; reports that
// have one keep it. Returns what it assigned, in input order.
std::vector<AssignedId> AssignMissingReportIds(
    std::vector<v1::IncidentReport>& reports);

// A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then the
// version and variant bits, the rest from `random`. Lowercase hex, 8-4-4-4-12.
// Ids made later sort later (to the millisecond), which keeps a node's
// key-ordered store roughly in submission order.
std::string MakeUuidV7(absl::Time now, const std::array<uint8_t, 10>& random);

// MakeUuidV7 with random bytes from the operating system.
std::string NewReportId(absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_REPORT_INPUT_H_
