#ifndef KUAIBAO_RELAY_VALIDATION_H_
#define KUAIBAO_RELAY_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "relay/region.h"
#include "relay/report_types.h"

namespace kuaibao {

// A status about one field of a message: the message reads "field: reason"
// and the field path travels as a payload, so the wire refusal can name it.
absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view reason);
// The field a status is about, or "" when none.
std::string ErrorField(const absl::Status& status);
// `status` (a FieldError about a field of `parent`) about the same field
// named from one level up: "hops[1]" and "received_at" give
// "hops[1].received_at"; an index ("[2]") or no field at all joins without
// the dot. For checks that build a field's path only when they refuse.
absl::Status UnderField(absl::string_view parent, const absl::Status& status);

struct ValidationLimits {
  // Timestamps later than now + this are refused (clock skew allowance).
  absl::Duration max_future = absl::Minutes(10);
  // Timestamps before this are refused as absurd.
  absl::Time earliest =
      absl::FromCivil(absl::CivilSecond(2000, 1, 1), absl::UTCTimeZone());
  size_t max_text_bytes = size_t{64} * 1024;
  size_t max_headline_bytes = 200;
  // Short fields: names, phone numbers, addresses of a unit.
  size_t max_short_text_bytes = 1024;
  // A next-report date further ahead than this is a typo.
  absl::Duration max_schedule_ahead = absl::Hours(24 * 366);
  // Hop records on a relayed report (province, city, county, township and a
  // national level leave room), and forwardings per hop.
  int max_hops = 16;
  int max_forwardings = 8;
  int max_breaches = 32;
  int max_sensitivity_reasons = 16;
};

// Checks that a report is complete and sane as the notice requires: ids,
// enums, the region (well-formed and in the table), the reporting unit, the
// times and the text sizes. INVALID_ARGUMENT naming the first bad field.
absl::Status ValidateReport(const IncidentReport& report,
                            const RegionTable& regions, absl::Time now,
                            const ValidationLimits& limits = {});

// Checks the hop records a child node sent with a relayed report: how many,
// each one's node (a known level's code), sender identity and times, and
// that it sent no other paths (a node keeps those for itself).
// INVALID_ARGUMENT naming the field, e.g. "hops[1].received_at".
absl::Status ValidateHops(const StoredReport& relayed, absl::Time now,
                          const ValidationLimits& limits = {});

// Checks where the information came from: a known kind; a media report
// names its outlet and publication time, a public tip when it came in.
absl::Status ValidateSource(const InformationSource& source, absl::Time now,
                            const ValidationLimits& limits = {});

// INVALID_ARGUMENT about `field` when the time `ts` is unset but
// `required`, later than now + limits.max_future, or before
// limits.earliest.
absl::Status CheckTime(const google::protobuf::Timestamp& ts,
                       absl::string_view field, bool required, absl::Time now,
                       const ValidationLimits& limits);
// INVALID_ARGUMENT about `field` when `text` is longer than `max` bytes.
absl::Status CheckText(absl::string_view text, absl::string_view field,
                       size_t max);

// The characters a report or event id may use: letters, digits, '-', '_',
// '.', ':'; 1 to 128 of them.
bool ValidId(absl::string_view id);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_VALIDATION_H_
