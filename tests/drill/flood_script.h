#ifndef KUAIBAO_TESTS_DRILL_FLOOD_SCRIPT_H_
#define KUAIBAO_TESTS_DRILL_FLOOD_SCRIPT_H_

// The drill's scripted disaster: floods in a set of counties (each a brief
// report, an initial report, follow-ups and a final report; some grade II,
// which also go straight to the province), routine reports elsewhere, and
// the faults (a city stopped, a county hung) on one timeline in notice
// hours, which the drill's time scale turns into seconds.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "relay/region.h"
#include "relay/report_types.h"
#include "tests/bench/province_tree.h"
#include "tests/bench/report_generator.h"

namespace kuaibao::drill {

struct FloodSettings {
  size_t flood_counties = 10;
  size_t events_per_county = 3;
  size_t background_events = 300;
  // Stop a city and hang one of its counties (the late hop).
  bool faults = true;
  // Label every report EXERCISE (演练) instead of ACTUAL.
  bool exercise = false;
  // The province runs a standby: with `faults`, its primary is killed
  // during the flood and restarted, and the second flooded county's first
  // flood is grade I, begun just before the kill.
  bool province_standby = false;
};

// One report to send: `at` notice hours after the disaster began, over the
// stream of township `township` (an index into the drill's townships).
struct Send {
  double at_h;
  size_t township;
  IncidentReport report;
};

// The faults, in notice hours after the disaster began.
struct FaultPlan {
  std::string city;    // stopped (SIGKILL) from city_down_h to city_up_h
  std::string county;  // hung (SIGSTOP) from hang_h to resume_h
  double city_down_h = 0.5, hang_h = 0.75, resume_h = 3.25, city_up_h = 3.5;
  // The province's primary killed (SIGKILL) from province_down_h to
  // province_up_h, its standby acting meanwhile: longer than the 2 h
  // per-hop budget's at-risk point (1.5 h), so that the cities turn to the
  // standby too, not only the grade I/II direct route (at risk after
  // 45 minutes).
  bool kill_province = false;
  double province_down_h = 1.0, province_up_h = 3.0;
};

struct FloodScript {
  std::vector<std::string> flood_counties;  // region codes
  std::vector<Send> sends;                  // in time order
  FaultPlan faults;                         // empty city: none
  // The event the province's instruction is about: the first grade II
  // flood, in the hung county when there is one.
  std::string instruction_event;
  std::string instruction_county;
};

// The flood counties: those of the October 2021 floods (晋中, 吕梁, 运城,
// 临汾) that the tree's `counties` include, else the tree's first counties;
// at most `n`.
std::vector<std::string> FloodCounties(
    const std::vector<const Region*>& counties, size_t n);

// The script over the tree's `townships` (whose counties are `counties`).
// Report ids start "fl-" (floods) and "bg-" (routine reports).
FloodScript MakeFloodScript(const std::vector<bench::Township>& townships,
                            const std::vector<const Region*>& counties,
                            const FloodSettings& settings,
                            bench::ReportGenerator& generator);

// Sets the report's times for sending now: authored now, and the times the
// generator set before it (occurred, reportable, the unit informed, the
// harm's as-of) shrunk by `time_scale` so that they stay as many notice
// minutes before it as the generator meant.
void StampForSending(IncidentReport* report, absl::Time now, double time_scale);

}  // namespace kuaibao::drill

#endif  // KUAIBAO_TESTS_DRILL_FLOOD_SCRIPT_H_
