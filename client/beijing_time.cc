#include "client/beijing_time.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kuaibao {

absl::TimeZone DisplayZone(TimeZoneChoice zone) {
  return zone == TimeZoneChoice::kUtc ? absl::UTCTimeZone()
                                      : absl::FixedTimeZone(8 * 60 * 60);
}

namespace {

// "+08:00" or "Z" after the seconds.
absl::string_view Suffix(TimeZoneChoice zone) {
  return zone == TimeZoneChoice::kUtc ? "Z" : "+08:00";
}

std::string Format(absl::string_view pattern, absl::Time time,
                   TimeZoneChoice zone) {
  return absl::StrCat(
      absl::FormatTime(std::string(pattern), time, DisplayZone(zone)),
      Suffix(zone));
}

}  // namespace

std::string FormatDisplayTime(absl::Time time, TimeZoneChoice zone) {
  return Format("%Y-%m-%d %H:%M:%E3S", time, zone);
}

std::string FormatDisplayTimeOfDay(absl::Time time, TimeZoneChoice zone) {
  return Format("%H:%M:%E3S", time, zone);
}

bool SameDisplayDay(absl::Time a, absl::Time b, TimeZoneChoice zone) {
  const absl::TimeZone tz = DisplayZone(zone);
  return absl::FormatTime("%Y-%m-%d", a, tz) ==
         absl::FormatTime("%Y-%m-%d", b, tz);
}

std::string FormatIsoTime(absl::Time time, TimeZoneChoice zone) {
  return Format("%Y-%m-%dT%H:%M:%E3S", time, zone);
}

absl::StatusOr<absl::Time> ParseDisplayTime(absl::string_view text,
                                            TimeZoneChoice zone,
                                            absl::string_view field) {
  const std::string input(text);
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, input, &time, &error)) return time;
  // Without an offset: the person's own (display) zone.
  for (const char* pattern : {"%Y-%m-%d %H:%M:%E*S", "%Y-%m-%dT%H:%M:%E*S",
                              "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"}) {
    if (absl::ParseTime(pattern, input, DisplayZone(zone), &time, &error)) {
      return time;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": \"", text,
      "\" is not a time (write 2026-11-28 20:40 in Beijing time, or RFC 3339 "
      "with an offset such as 2026-11-28T20:40:00+08:00)"));
}

}  // namespace kuaibao
