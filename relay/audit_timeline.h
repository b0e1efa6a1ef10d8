#ifndef KUAIBAO_RELAY_AUDIT_TIMELINE_H_
#define KUAIBAO_RELAY_AUDIT_TIMELINE_H_

// Who had a report when, and who held it: one row per node per path with its
// received, stored, sent and acknowledged times, its dwell (on its own
// clock), its budget and whether it was the late hop. The verdicts are the
// node's own deadline evaluation (ReportDeadlines), run over each path;
// nothing here judges lateness a second way.
//
// Dwell never compares two clocks. A transit (one node's send → the next
// node's arrival) does, and is shown with the estimated offset of the two
// clocks where this node knows it (ClockSkewTracker).

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kuaibao/v1/audit.pb.h"
#include "relay/clock_skew.h"
#include "relay/deadline_policy.h"
#include "relay/report_types.h"

namespace kuaibao {

struct TimelineContext {
  DeadlinePolicy policy;
  // The answering node, and whether it has a parent to hand reports to.
  std::string here;
  bool has_parent = false;
  absl::Time now;
  // This node's estimates of its links' clocks; nullptr = none.
  const ClockSkewTracker* skew = nullptr;
};

// The timeline of `stored` as the answering node holds it (its own hop last
// on the primary path, with its forwardings).
ReportTimeline BuildTimeline(const StoredReport& stored,
                             const TimelineContext& context);

// The timelines of several reports (an event), ordered by event_seq, then
// report id.
std::vector<ReportTimeline> BuildTimelines(
    const std::vector<StoredReport>& reports, const TimelineContext& context);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_AUDIT_TIMELINE_H_
