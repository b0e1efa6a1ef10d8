#ifndef KUAIBAO_RELAY_BREACH_COLLECTOR_H_
#define KUAIBAO_RELAY_BREACH_COLLECTOR_H_

// The breaches of a period, grouped by the node (or unit) held responsible
// and by kind: late hand-offs, late unit reports, late arrival at the
// province or the State Council, missed follow-ups, late instructions and
// feedback, and gaps in an origin's numbers (漏报/瞒报: a report that never
// arrived). Gathered from what the node keeps: the breach records it wrote
// (b/), those that travelled up in hop records, its current evaluation of
// each report and instruction, and the origin ledgers. One breach seen
// several ways is listed once: the current evaluation wins over a record,
// and a record of when it was met over one written while it was open.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "kuaibao/v1/audit.pb.h"
#include "kuaibao/v1/ledger.pb.h"
#include "relay/report_types.h"

namespace kuaibao {

// What a breach is about.
struct BreachSubject {
  std::string report_id;
  std::string event_id;
  std::string instruction_id;
  std::string region_code;
  std::string headline;
};

BreachKind KindOf(DeadlineRule rule);

// What a breach entry is about: its instruction, else report, else event id
// (an origin's gaps: the origin). An auditor's review mark is kept under
// keys::Review(AboutOf(entry), rule, responsible).
std::string AboutOf(const BreachEntry& entry);

// Thread-compatible.
class BreachCollector {
 public:
  // Breaches due in [from, to), as of `now`.
  BreachCollector(absl::Time from, absl::Time to, absl::Time now)
      : from_(from), to_(to), now_(now) {}

  // A breach record (the node's own b/ record, or one from a hop record).
  void AddRecord(const BreachSubject& subject, const Breach& breach);
  // A deadline as evaluated now; only met-late and overdue ones count.
  void AddDeadline(const BreachSubject& subject, const DeadlineStatus& d);
  // A gap in `origin`'s numbers; counted once overdue, in the period it was
  // first seen.
  void AddGap(const std::string& origin, const std::string& region,
              const SequenceGap& gap);

  // Groups by responsible, then kind; drills apart.
  ListBreachesResponse Build() const;

 private:
  void Put(const std::string& key, int rank, BreachEntry entry);

  const absl::Time from_, to_, now_;
  struct Ranked {
    int rank;
    BreachEntry entry;
  };
  absl::flat_hash_map<std::string, Ranked> entries_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_BREACH_COLLECTOR_H_
