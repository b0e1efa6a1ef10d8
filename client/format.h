#ifndef KUAIBAO_CLIENT_FORMAT_H_
#define KUAIBAO_CLIENT_FORMAT_H_

// How the client writes values and one-line results for people. Pure: no
// I/O, no gRPC. Times are shown in the process's display zone
// (client/display.h): Beijing time with its +08:00 offset by default, UTC
// with a trailing Z under --utc; always with the offset, because a report's
// hops are stamped by machines in different places.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/command_io.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "kuaibao/v1/report.pb.h"
#include "kuaibao/v1/service.pb.h"

namespace kuaibao {

// "2026-11-28 20:40:01.123+08:00" (or "2026-11-28 12:40:01.123Z" under
// --utc); "-" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// "20:40:01.123+08:00" when `timestamp` falls on the same day (in the
// display zone) as `day_of`,
// else as FormatTimestamp. For table cells next to a full date.
std::string FormatTimeOfDay(const google::protobuf::Timestamp& timestamp,
                            const google::protobuf::Timestamp& day_of);

// "0.012s" under a minute, then to the nearest second: "1m03s" under an
// hour, "2h05m40s" ("2h05m" when exact) under a day, then "1d02h";
// negative spans (clock skew between nodes) get a leading '-'.
std::string FormatShortDuration(absl::Duration duration);

// A configured time budget, exact and without zero parts: "40m", "2h",
// "1h30m", "24h", "7.2s" (a drill's scaled budget); FormatShortDuration's
// form for anything else.
std::string FormatBudget(absl::Duration duration);

// A span for a duty officer, truncated to what matters under a minute:
// "4.2s" under 10 s, "42s"; from a minute on as FormatShortDuration
// ("3m05s", "1h05m", "1d02h"). Negative spans get a leading '-'.
std::string FormatCoarseDuration(absl::Duration duration);

// A node on a drill clock (deadlines { time_scale }, which every node's
// deadline answers carry as `time_scale`) measures the notice's hours in
// seconds of wall time. These print such a span in the notice's time, with
// the wall time beside it; with time_scale 0 (a node that does not say) or
// 1, as `format` prints the wall time alone. `format` is the view's own:
// FormatShortDuration, FormatBudget or FormatCoarseDuration.
using SpanFormat = std::string (*)(absl::Duration);
// The notice's time alone: "2h12m" for 7.92 s at time_scale 0.001.
std::string NoticeTime(absl::Duration wall, double time_scale,
                       SpanFormat format);
// "drill wall time 7.920s" (演练实耗 in Chinese); "" in real time.
std::string DrillWallTime(absl::Duration wall, double time_scale,
                          SpanFormat format);
// Both: "2h12m (drill wall time 7.920s)"; format(wall) in real time.
std::string InNoticeTime(absl::Duration wall, double time_scale,
                         SpanFormat format);

// The name of an enum value without its type's prefix ("INITIAL" for
// REPORT_KIND_INITIAL), found through the descriptor so that values added
// later print by name; the number when this build does not know the value.
std::string EnumLabel(const google::protobuf::EnumDescriptor& descriptor,
                      int value);

// "client/140105001000/duty-1" for
// "spiffe://kuaibao/client/140105001000/duty-1": identity URIs all share the
// prefix. Other text (a region code) unchanged; "-" when empty.
std::string ShortIdentity(absl::string_view identity);

// "[DRILL]" for an exercise, "[TEST]" for test traffic, else "".
std::string StatusTag(int report_status);

// A deadline rule in words with its window (due - start, when both are set):
//   UNIT_TO_LOCAL       unit → local government (1h)
//   PER_HOP             hand-off to the next level (2h/level)
//   END_TO_END          reach the province (end to end, 3h)
//   DIRECT_TO_PROVINCE  grade I/II: reach the province directly (1h)
//   PROVINCE_TO_NATIONAL  province → State Council (4h)
//   BRIEF_TO_DETAILED   detailed report after brief (40m)
//   FOLLOW_UP           next follow-up (no window: the author may declare
//                       any next report time)
//   INSTRUCTION_RELAY   instruction reaches the locality (1h)
//   FEEDBACK            feedback on instruction (24h)
//   NEXT_LEVEL_SAME_TIME  grade I/II: next level at the same time as the
//                       province (within 10m)
// "rule <n>" for a rule this build does not know.
// The window is in the notice's time, with a drill's wall time beside it
// ("(end to end, 3h, drill wall time 10.8s)") when `time_scale` says so.
std::string DeadlineRuleInWords(int rule,
                                const google::protobuf::Timestamp& start,
                                const google::protobuf::Timestamp& due,
                                double time_scale = 1);

// Where a deadline stands, relative to `now` while it is open:
//   met:   "late by 12m", "met 20m early", "met on time"
//   open:  "in 35m", "overdue by 1h05m"; "open" when `now` is
//          absl::InfinitePast() (unknown); "-" without a due time.
// On a drill clock (`time_scale`), spans in the notice's time with the wall
// time beside them: "late by 11m05s (drill wall time 0.6s)".
std::string DeadlineTiming(const google::protobuf::Timestamp& due,
                           const google::protobuf::Timestamp& met_at,
                           absl::Time now, double time_scale = 1);

// "OVERDUE", "AT RISK", "MET LATE", ... for a DeadlineState value.
std::string DeadlineStateLabel(int state);

// "INVALID_ARGUMENT" for a google.rpc.Code number; "CODE_<n>" when unknown.
std::string StatusCodeName(int code);

// One line per Intake.Submit response, no trailing newline:
//   stored   <id>  at node <region>  received <time>[  (duplicate: already
//   stored)] REFUSED  <id>  <CODE>  [<field>: ]<message>
std::string FormatReceipt(const v1::Receipt& receipt);
std::string FormatRejection(const v1::Rejection& rejection);

// The lines `kuaibao list` prints: a header, then one line per report, its
// headline preceded by the report's StatusTag for drill and test traffic.
std::string FormatListHeader();
std::string FormatListLine(const v1::StoredReport& stored);

// Prints the message in protobuf's JSON mapping on one line to io.out, for
// --json. When it does not convert (a time out of range, stored by an older
// node), prints nothing there, names the field on io.err and returns false:
// the command must then exit non-zero.
bool PrintJsonLine(const google::protobuf::Message& message,
                   const CommandIo& io);

// "error: <CODE>: <message>" for a failed call to the node at `node`, plus a
// "hint: " line for the codes whose usual cause is on the caller's side. Each
// line ends in '\n'.
std::string FormatRpcError(const absl::Status& status, const std::string& node);

// Set once by main(): what FormatRpcError says about an UNAVAILABLE node
// instead of its generic hint (kuaibao probes the TLS handshake, so that a
// refused certificate is not reported as a node that is down).
void SetUnavailableHint(std::function<std::string(const std::string&)> hint);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_FORMAT_H_
