#ifndef KUAIBAO_RELAY_ORIGIN_LEDGER_H_
#define KUAIBAO_RELAY_ORIGIN_LEDGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuaibao/v1/ledger.pb.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// What this node knows of each origin's numbered reports (origin_seq): the
// highest number received, how many, and the numbers missing below it, each
// gap with the time this node first knew of it. Kept in the store:
//   g/<origin>\x01              OriginRecord (without gaps)
//   g/<origin>\x02<first>       SequenceGap, first in 16 hex digits
// and in memory (read once, on first use).
//
// The node a client submits to numbers the client's unnumbered reports
// (Record with `assign`): the origin's high-water mark is its counter. A
// number is used only by a write that succeeds, so the first node never shows
// a gap of its own making; above it, a gap is a report not (yet) received.
//
// Records hold absolute values (the last write wins), so the batches Record
// fills must reach the store in the order of the Record calls (the engine
// commits them under its lock). After a failed write the ledger in memory is
// ahead of the disk: Invalidate() makes the next use reload it (a failed
// write stops the store until it is reopened, so nothing written after the
// failure was computed from the stale state).
//
// Thread-safe.
class OriginLedger {
 public:
  // Borrowed: `store` outlives the ledger.
  explicit OriginLedger(ReportStore* store);

  // Numbers `report` if it has no number and `assign` is set, and adds the
  // ledger's writes for it to `batch`. The error of reading the ledger, if
  // any (then `batch` is unchanged).
  absl::Status Record(IncidentReport* report, bool assign, absl::Time now,
                      StoreBatch* batch);
  // A batch Record filled was not written: reload before the next use.
  void Invalidate();

  // Up to `limit` origins after `after_origin` (in origin order) that
  // `filter` accepts, with their gaps; a gap first seen at or before
  // `now - overdue_after` is marked overdue.
  absl::StatusOr<std::vector<OriginRecord>> List(
      const std::string& after_origin, size_t limit,
      const std::function<bool(const OriginRecord&)>& filter, absl::Time now,
      absl::Duration overdue_after) const;

  // For repair: the writes that make the ledger agree with the reports that
  // survived, given as each origin's numbers present here. The high-water
  // mark never goes down (numbers the node handed out stay used); numbers
  // the ledger had counted as received but whose reports are gone become
  // gaps first seen `now`. Also updates the ledger in memory.
  absl::StatusOr<StoreBatch> Reconcile(
      const std::map<std::string, std::vector<uint64_t>>& present,
      absl::Time now);

 private:
  struct Mark {
    OriginRecord head;
    // By first number.
    std::map<uint64_t, SequenceGap> gaps;
  };

  absl::Status LoadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ObserveLocked(const std::string& origin, uint64_t seq, absl::Time now,
                     StoreBatch* batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ReportStore* const store_;

  mutable absl::Mutex mu_;
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  absl::btree_map<std::string, Mark> marks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_ORIGIN_LEDGER_H_
