#ifndef KUAIBAO_RELAY_DEADLINE_WATCH_H_
#define KUAIBAO_RELAY_DEADLINE_WATCH_H_

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

  // A write changed report `id` (received here at `received`): evaluate it at
  // the next TakeDue.
  void Touch(const std::string& id, absl::Time received);
  // Touch, for a report already watched; a forgotten one has no open
  // deadline a write could change.
  void TouchIfWatched(const std::string& id);
  // Touch every watched report: something besides a write and the time
  // changed what the engine does about them (a link went down).
  void TouchAll();

  struct Due {
    std::string id;
    absl::Time received;
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

 private:
  struct Entry {
    absl::Time received;
    absl::Time wake = absl::InfiniteFuture();
    bool late = false;
    bool escalated = false;
    // The state each deadline had at the last Fold, by rule and responsible.
    std::vector<std::pair<std::string, DeadlineState>> states;
  };
  void Schedule(const std::string& id, Entry& entry, absl::Time wake);

  const DeadlinePolicy policy_;
  const absl::Duration lookback_;
  absl::flat_hash_map<std::string, Entry> entries_;
  // (wake-up time, report id) for every entry.
  std::set<std::pair<absl::Time, std::string>> wake_;
  absl::flat_hash_set<std::string> touched_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_DEADLINE_WATCH_H_
