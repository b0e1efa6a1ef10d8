#ifndef KUAIBAO_RELAY_TIME_FIELDS_H_
#define KUAIBAO_RELAY_TIME_FIELDS_H_

// Every google.protobuf.Timestamp and Duration inside a message, checked
// against the ranges the protobuf JSON mapping (and absl) can represent.
// A time outside them is accepted by the binary wire format but breaks every
// JSON printer later, so intake refuses it and output names it.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace kuaibao {

// INVALID_ARGUMENT naming the first bad field's path under `prefix`
// (e.g. "authored_at", "hops[1].received_at"): a Timestamp outside
// 0001-01-01..9999-12-31 or a Duration beyond ±10,000 years, or nanos
// outside 0..999,999,999 (for a Duration: the same sign as seconds).
absl::Status CheckTimeFields(const google::protobuf::Message& message,
                             absl::string_view prefix = "");

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_TIME_FIELDS_H_
