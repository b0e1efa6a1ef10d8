#ifndef KUAIBAO_CLIENT_BEIJING_TIME_H_
#define KUAIBAO_CLIENT_BEIJING_TIME_H_

// Times as the client's people read them: Beijing time (Asia/Shanghai,
// UTC+08:00) unless they ask for UTC. Pure; no gRPC.
//
// China has kept +08:00 all year since 1991, so a fixed offset is exact for
// every time a node can record and needs no tz database on the machine (a
// minimal Debian container has none).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kuaibao {

// Where times are shown: Beijing time, or UTC for `--utc`.
enum class TimeZoneChoice { kBeijing, kUtc };

// Asia/Shanghai as a fixed +08:00 zone, or UTC.
absl::TimeZone DisplayZone(TimeZoneChoice zone);

// For reading: "2026-11-28 20:40:01.123+08:00" (Beijing) or
// "2026-11-28 12:40:01.123Z" (UTC).
std::string FormatDisplayTime(absl::Time time, TimeZoneChoice zone);
// "20:40:01.123+08:00" / "12:40:01.123Z": for a table cell beside a date.
std::string FormatDisplayTimeOfDay(absl::Time time, TimeZoneChoice zone);
// True when both fall on the same calendar day in `zone`.
bool SameDisplayDay(absl::Time a, absl::Time b, TimeZoneChoice zone);

// For files (CSV, JSON for spreadsheets): ISO 8601 with the offset,
// "2026-11-28T20:40:01.123+08:00" / "2026-11-28T12:40:01.123Z".
std::string FormatIsoTime(absl::Time time, TimeZoneChoice zone);

// A time a person typed: RFC 3339 with its own offset ("…T20:40:00+08:00",
// "…Z"), or a local time without one read in `zone` ("2026-11-28 20:40",
// "2026-11-28 20:40:05", "2026-11-28T20:40"). INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<absl::Time> ParseDisplayTime(absl::string_view text,
                                            TimeZoneChoice zone,
                                            absl::string_view field);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_BEIJING_TIME_H_
