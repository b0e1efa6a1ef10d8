#ifndef KUAIBAO_RELAY_STATISTICS_H_
#define KUAIBAO_RELAY_STATISTICS_H_

// Monthly, quarterly and annual statistics of real events: counts, deaths,
// missing, injured and economic loss per region, category or grade.
//
// Counted per EVENT from its latest figures: a report's harm is cumulative
// as of its time, so the figures of an event are those of its latest report
// (highest event_seq, then the latest authored), never a sum over its brief,
// initial, follow-up and final reports. A node holds each report once, even
// when it arrived by two paths. Drill and test events are left out, and so
// are events whose latest report retracts them (误报); both are counted
// apart.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "kuaibao/v1/audit.pb.h"
#include "relay/report_types.h"

namespace kuaibao {

// Thread-compatible.
class EventStatistics {
 public:
  // Takes one stored report into account (any order).
  void Add(const IncidentReport& report);

  // The events that occurred in [from, to) inside `region` (the latest
  // report's location), grouped by `grouping` (regions: one level below
  // `region`).
  StatisticsResponse Build(absl::Time from, absl::Time to,
                           const std::string& region,
                           StatsGrouping grouping) const;

 private:
  struct Latest {
    uint32_t event_seq = 0;
    absl::Time authored = absl::InfinitePast();
    std::string report_id;
    IncidentReport report;  // without its text: only what is counted
    uint32_t reports = 0;
  };
  absl::flat_hash_map<std::string, Latest> events_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STATISTICS_H_
