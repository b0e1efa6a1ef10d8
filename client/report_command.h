#ifndef KUAIBAO_CLIENT_REPORT_COMMAND_H_
#define KUAIBAO_CLIENT_REPORT_COMMAND_H_

// `kuaibao report`: file a report from flags, without writing JSON — a new
// event's brief report, or the next report of an event (`--follow-up
// EVENT_ID`), numbered and linked to the event's latest report by the
// client. Building the report is pure (BuildReport); RunReport looks up the
// event and submits.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/command_io.h"
#include "client/relay_client.h"
#include "kuaibao/v1/report.pb.h"

namespace kuaibao {

struct ReportArgs {
  // brief (default for a new event), initial, follow_up (default with
  // --follow-up), final, correction, retraction.
  std::string kind;
  std::string category;  // natural_disaster, major_accident, ... (new event)
  std::string grade;     // I, II, III, IV, ungraded, unknown (default unknown)
  std::string headline;
  std::string course;  // what happened (optional)
  // Where: a 12-digit code or a region's unique name (坞城街道).
  std::string region;
  std::string unit;         // the reporting unit's name
  std::string occurred_at;  // local (Beijing) time or RFC 3339; default now
  std::string follow_up;    // the event this report continues
  bool drill = false;       // status EXERCISE
};

// The report the flags describe. `previous` is the event's latest report
// (for --follow-up; nullptr for a new event): its event, region, unit,
// category and grade are kept unless given, event_seq is one more and it is
// superseded. INVALID_ARGUMENT naming the flag when one is missing or
// malformed.
absl::StatusOr<v1::IncidentReport> BuildReport(
    const ReportArgs& args, const v1::IncidentReport* previous, absl::Time now,
    const std::string& report_id, const std::string& new_event_id);

// Checks the flags, finds the event's latest report for --follow-up
// (NOT_FOUND: nothing of that event visible here), builds the report and
// submits it as `kuaibao submit` does. kExitUsage for bad flags.
int RunReport(RelayClient& client, const ReportArgs& args, const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_REPORT_COMMAND_H_
