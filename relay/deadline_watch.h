#ifndef KUAIBAO_RELAY_DEADLINE_WATCH_H_
#define KUAIBAO_RELAY_DEADLINE_WATCH_H_

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "relay/deadline_policy.h"
#include "relay/report_types.h"

namespace kuaibao {

// Which reports' deadlines the engine must look at, and when.
//
// A deadline's state changes for two reasons only: a write (the report
// arrives, is handed on, its receipt comes back: Touch) or time alone (on
// time → at risk → overdue: the index by wake-up time). So a clock tick
// evaluates only the touched reports and those whose next time-driven change
// has come (TakeDue), never the whole window.
//
// A write hands over what the evaluation reads (Arrive, HandOff): the
// report's deadline view (DeadlineView), so that the tick evaluates a
// written report without reading it back from the store. Only reports
// learnt at the restart catch-up, or changed by a write that hands over
// nothing (another path, an escalation), are read from the store.
//
// Memory is bounded by open deadlines, not by history: a report is kept
// while one of its deadlines is open, or while it was late (ListDue lists
// recent breaches), and at most Lookback(policy) after its arrival. A report
// whose deadlines were all met on time is forgotten at once.
//
// Not thread-safe: the engine guards it with its lock.
class DeadlineWatch {
 public:
  explicit DeadlineWatch(const DeadlinePolicy& policy);

  // Reports are watched this long after they arrived here: twice the longest
  // budget a report can be under.
  static absl::Duration Lookback(const DeadlinePolicy& policy);

  // What the tick evaluates a report from without reading the store.
  using View = std::shared_ptr<const StoredReport>;

  // Report `id` is being written here (received at `received`); `view` is
  // its DeadlineView as written (null: read it from the store). Not due
  // until Landed.
  void Arrive(const std::string& id, absl::Time received, View view);
  // A write of `id` landed (`ok`) or failed: evaluate it at the next
  // TakeDue. For a write other than Arrive's the view is stale: dropped.
  void Landed(const std::string& id, bool ok);
  // A hand-off of a watched report was written: `forwarding` replaces its
  // record of the same link in the view. Evaluated at the next TakeDue.
  void HandOff(const std::string& id, const Forwarding& forwarding);
  // For a report already watched, changed by a write that handed over
  // nothing: read from the store at the next TakeDue. A forgotten one has
  // no open deadline a write could change.
  void TouchIfWatched(const std::string& id);
  // Touch every watched report: something besides a write and the time
  // changed what the engine does about them (a link went down).
  void TouchAll();

  struct Due {
    std::string id;
    absl::Time received;
    View view;  // null: read the report from the store
  };
  // The touched reports and those whose wake-up time is at or before `now`,
  // each once; reports past the lookback window are forgotten instead.
  std::vector<Due> TakeDue(absl::Time now);

  struct Outcome {
    // Deadlines whose state changed (not reported while `quiet`).
    std::vector<DeadlineStatus> changed;
    // Deadlines that just became late (overdue, or met late): the breaches
    // to record.
    std::vector<DeadlineStatus> newly_late;
  };
  // Folds in report `id`'s deadlines evaluated at `now`, and schedules its
  // next time-driven change. `quiet`: the first look after a restart, which
  // learns the states without reporting them as changes.
  void Fold(const std::string& id, absl::Time received,
            const std::vector<DeadlineStatus>& deadlines, absl::Time now,
            bool quiet, Outcome* out);

  // Keeps report `id` watched without deadlines of its own (a copy held for
  // the region's other node), to be due again at `wake`; forgets it when
  // `wake` is never.
  void WakeAt(const std::string& id, absl::Time received, absl::Time wake);
  // Stops watching `id`.
  void Forget(const std::string& id);

  // Whether a deadline going from `last` to `now` is worth reporting.
  static bool IsNews(DeadlineState last, DeadlineState now);
  // Overdue or met late: a breach to record.
  static bool IsLate(DeadlineState state);
  // A deadline within its report or event: rule and responsible node.
  static std::string StateKey(const DeadlineStatus& s);
  // True the first time it is asked for a watched report.
  bool MarkEscalated(const std::string& id);
  // Reports with an open deadline, or a late one, in the window.
  std::vector<std::string> Listed() const;
  size_t size() const { return entries_.size(); }
  // Reports whose deadline view is held in memory.
  size_t views() const { return views_; }

  // At most this many views are held; beyond, reports are read from the
  // store (a long backlog costs reads, not memory).
  static constexpr size_t kMaxViews = 20000;

 private:
  struct Entry {
    absl::Time received;
    absl::Time wake = absl::InfiniteFuture();
    bool late = false;
    bool escalated = false;
    // Its write has not landed yet: not due.
    bool landing = false;
    View view;
    // The state each deadline had at the last Fold, by rule and responsible.
    std::vector<std::pair<std::string, DeadlineState>> states;
  };
  void Schedule(const std::string& id, Entry& entry, absl::Time wake);
  void SetView(Entry& entry, View view);

  const DeadlinePolicy policy_;
  const absl::Duration lookback_;
  absl::flat_hash_map<std::string, Entry> entries_;
  // (wake-up time, report id) for every entry.
  std::set<std::pair<absl::Time, std::string>> wake_;
  absl::flat_hash_set<std::string> touched_;
  size_t views_ = 0;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_DEADLINE_WATCH_H_
