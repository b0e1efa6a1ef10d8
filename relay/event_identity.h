#ifndef KUAIBAO_RELAY_EVENT_IDENTITY_H_
#define KUAIBAO_RELAY_EVENT_IDENTITY_H_

// Event identity owned by the network. The node a client submits to (the
// first node) decides which event a report belongs to:
//
//  - A first report (BRIEF or INITIAL, no `supersedes`) about an event not
//    known here opens a new event: the node assigns its number,
//    "<node region12>-<yyyymmdd, Beijing>-<NNNN>" (e.g.
//    "140105001000-20261203-0003"), from a per-day counter kept in the same
//    synced write that stores the report. Numbers are scoped by the node's
//    region, so two nodes never hand out the same one; a number is never
//    handed out twice by one node (the counter only goes up, also past a
//    failed write). A free-text event id the client gave is kept as the
//    report's `event_label`, and names that event at this node from then
//    on: two townships using the same text get two events.
//  - Any other report names an existing event (its number, or the label at
//    the node that assigned it): NOT_FOUND naming `event_id` when none is
//    known here, PERMISSION_DENIED when the event lies outside the client's
//    region. `event_seq` must continue the event: a gap is refused naming
//    the expected number (a lower or equal number is a report of another
//    origin, or one that crossed on the way, and is accepted). `supersedes`
//    must name a report of the same event. A closed event (final report or
//    retraction) takes only an explicit REOPEN, a CORRECTION or a
//    RETRACTION.
//
// Relays above the first node take the event id as the first node set it.
// Keys: k/n/<yyyymmdd> (the day's last number, decimal) and k/l/<label>
// (the event id the label names).

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relay/identity.h"
#include "relay/report_types.h"
#include "relay/store/report_store.h"

namespace kuaibao {

// What the engine knows, for the checks: the event record (reports() == 0
// when unknown) and the event id of a stored or in-flight report (NOT_FOUND
// when there is none: the supersedes check needs nothing else of it).
struct EventLookups {
  std::function<EventRecord(const std::string& event_id)> event;
  std::function<absl::StatusOr<std::string>(const std::string& report_id)>
      event_of;
};

// Not thread-safe: the engine calls it under its lock, in commit order.
class EventIdentity {
 public:
  // Borrowed: `store` outlives this. `region` is this node's.
  EventIdentity(ReportStore* store, std::string region);

  // Resolves (or assigns) `report`'s event at the first node, for `client`,
  // adding the counter or label writes to `batch`. The refusals above.
  absl::Status Resolve(const Identity& client, const EventLookups& lookups,
                       absl::Time now, IncidentReport* report,
                       StoreBatch* batch);

  // The event number `n` of the day `day` (yyyymmdd) at `region`.
  static std::string Number(const std::string& region, const std::string& day,
                            int n);

 private:
  std::string Assign(absl::Time now, StoreBatch* batch);
  std::string Labelled(const std::string& label) const;

  ReportStore* const store_;
  const std::string region_;
  // Last number by day, read from the store on first use of a day.
  absl::flat_hash_map<std::string, int> last_;
  // Labels assigned since start (written, perhaps not yet durable).
  absl::flat_hash_map<std::string, std::string> labels_;
};

// A report as the first node would have resolved it: `incoming` with the
// event id and label of `stored` when `incoming` named the event the way the
// client did (its label, or nothing). For resend matching.
IncidentReport AsResolved(const IncidentReport& stored,
                          const IncidentReport& incoming);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_EVENT_IDENTITY_H_
