#ifndef KUAIBAO_CLIENT_FORMAT_H_
#define KUAIBAO_CLIENT_FORMAT_H_

// How the client writes values and one-line results for people. Pure: no
// I/O, no gRPC. Times are shown in UTC with a trailing Z everywhere, because
// a report's hops are stamped by machines in different places.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "kuaibao/v1/report.pb.h"
#include "kuaibao/v1/service.pb.h"

namespace kuaibao {

// "2026-11-28 12:40:01.123Z"; "-" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// "12:40:01.123Z" when `timestamp` falls on the same UTC day as `day_of`,
// else as FormatTimestamp. For table cells next to a full date.
std::string FormatTimeOfDay(const google::protobuf::Timestamp& timestamp,
                            const google::protobuf::Timestamp& day_of);

// "0.012s" under a minute, "1m03s" under an hour, "2h05m" under a day, then
// "1d02h"; negative spans (clock skew between nodes) get a leading '-'.
std::string FormatShortDuration(absl::Duration duration);

// The name of an enum value without its type's prefix ("INITIAL" for
// REPORT_KIND_INITIAL), found through the descriptor so that values added
// later print by name; the number when this build does not know the value.
std::string EnumLabel(const google::protobuf::EnumDescriptor& descriptor,
                      int value);

// "INVALID_ARGUMENT" for a google.rpc.Code number; "CODE_<n>" when unknown.
std::string StatusCodeName(int code);

// One line per Intake.Submit response, no trailing newline:
//   stored   <id>  at node <region>  received <time>[  (duplicate: already
//   stored)] REFUSED  <id>  <CODE>  [<field>: ]<message>
std::string FormatReceipt(const v1::Receipt& receipt);
std::string FormatRejection(const v1::Rejection& rejection);

// The lines `kuaibao list` prints: a header, then one line per report.
std::string FormatListHeader();
std::string FormatListLine(const v1::StoredReport& stored);

// The message in protobuf's JSON mapping on one line, for --json.
std::string FormatJsonLine(const google::protobuf::Message& message);

// "error: <CODE>: <message>" for a failed call to the node at `node`, plus a
// "hint: " line for the codes whose usual cause is on the caller's side. Each
// line ends in '\n'.
std::string FormatRpcError(const absl::Status& status, const std::string& node);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_FORMAT_H_
