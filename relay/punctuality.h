#ifndef KUAIBAO_RELAY_PUNCTUALITY_H_
#define KUAIBAO_RELAY_PUNCTUALITY_H_

// The table a provincial office publishes naming late-reporting units: per
// node, the hand-offs it owed in a period (the per-hop budget), how many it
// made on time, late, or still owes, its share on time and its worst delay;
// the same for the reporting units (unit → local government), and the
// notice's own measure: reached the province within the end-to-end budget
// of becoming reportable, by reporting region. Built from the
// node's own deadline evaluation (ReportDeadlines); drills never count.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "kuaibao/v1/audit.pb.h"
#include "relay/report_types.h"

namespace kuaibao {

// Thread-compatible.
class PunctualityTally {
 public:
  // Counts deadlines that started in [from, to), as of `now`.
  PunctualityTally(absl::Time from, absl::Time to, absl::Time now)
      : from_(from), to_(to), now_(now) {}

  // The deadlines of one report first taken in by `reporting_region` (the
  // first hop's node): per-hop by node, unit → local by unit, end to end by
  // the reporting region.
  void Add(const std::vector<DeadlineStatus>& deadlines,
           const std::string& reporting_region);

  // Worst share on time first, then most late, then by name.
  std::vector<PunctualityRow> Nodes() const { return Sorted(nodes_); }
  std::vector<PunctualityRow> Units() const { return Sorted(units_); }
  std::vector<PunctualityRow> EndToEnd() const { return Sorted(end_to_end_); }

 private:
  static std::vector<PunctualityRow> Sorted(
      const absl::flat_hash_map<std::string, PunctualityRow>& rows);
  // Counts one deadline in `row`.
  void Count(const DeadlineStatus& d, PunctualityRow* row) const;

  const absl::Time from_, to_, now_;
  absl::flat_hash_map<std::string, PunctualityRow> nodes_, units_, end_to_end_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_PUNCTUALITY_H_
