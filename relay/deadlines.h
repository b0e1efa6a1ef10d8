#ifndef KUAIBAO_RELAY_DEADLINES_H_
#define KUAIBAO_RELAY_DEADLINES_H_

// The notice's deadlines, evaluated. Pure functions of the recorded facts (a
// report's hop records, an event's record), the policy and `now`: every node
// recomputes them for what it holds, so two nodes agree on lateness without
// trusting each other's verdicts.
//
// Times come from the hop records, each on its own node's clock. A hop's
// dwell (received → sent on) is measured on one clock; only the end-to-end
// and direct rules compare a start on one node with an arrival on another.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "relay/deadline_policy.h"
#include "relay/report_types.h"

namespace kuaibao {

// ON_TIME / AT_RISK / OVERDUE for an open window, MET / MET_LATE for a closed
// one (`met` is absl::InfinitePast() while open).
DeadlineState StateOf(absl::Time start, absl::Time due, absl::Time met,
                      absl::Time now, double at_risk_fraction);

// Grade I/II or sensitive: reported directly to the province as well.
bool IsUrgent(const IncidentReport& report);
// Exercise or test traffic.
bool IsDrill(const IncidentReport& report);

// When the government learned of the event from the media or a public tip
// (source.learned_at, for media else published_at); InfinitePast when the
// information came from a unit (or another source). R1 and end to end run
// from this time when it is set.
absl::Time LearnedOutsideAt(const IncidentReport& report);
// "learned from media (新华网), 22 h after it happened", or "" for a unit's
// own report: shown with R1, end to end and their breaches.
std::string SourceNote(const IncidentReport& report);

// Every deadline of one report as node `here` sees it (`here` holds the
// report; its own hop is the last of the primary path). Per-hop windows for
// every hop that passed it on, on every path it arrived by, and for `here`
// itself while `here` has a parent (`has_parent`); the unit→local,
// end-to-end and (for urgent reports) direct rules — below the province
// judged up to `here`'s own hand-off; the province's national deadline when
// `here` is the province.
std::vector<DeadlineStatus> ReportDeadlines(const StoredReport& stored,
                                            const DeadlinePolicy& policy,
                                            const std::string& here,
                                            bool has_parent, absl::Time now);

// What ReportDeadlines, IsPeerCopy and the region check read of a report's
// timeline (the stored report with this node's forwarding records on its
// own hop, RelayEngine::Timeline), and nothing else: a few hundred bytes
// the deadline watch keeps in memory instead of reading the report back.
StoredReport DeadlineView(const StoredReport& timeline);
// Puts `forwarding` (this node's record of one link) into the view's own
// hop, in place of its record of the same link.
void PutOwnForwarding(const Forwarding& forwarding, StoredReport* view);

// The deadlines `here` has missed at the moment it sends the report on
// (`now`): they travel up in its hop record.
std::vector<Breach> BreachesAtSend(const StoredReport& stored,
                                   const DeadlinePolicy& policy,
                                   const std::string& here, absl::Time now);

// An event's open obligations: the detailed report after a brief one, and
// the next follow-up until a final report closes it.
std::vector<DeadlineStatus> EventDeadlines(const EventRecord& event,
                                           const DeadlinePolicy& policy,
                                           absl::Time now);

// The government of a location: the region itself, or a village's township.
// "" for a malformed code.
std::string GovernmentOf(const std::string& location);

// Who owns an event (answers for its follow-ups): the government of the
// event's location, whoever reported first or took the report in (a
// provincial department's report that reached the province first still
// makes a township's event the township's). `owner` is the owner so far
// ("" for a new event), `location` the new report's region. A vaguer
// location of the same place keeps the nearer owner; `taker` (the report's
// first node) only stands in when the location is malformed.
std::string EventOwner(const std::string& owner, const std::string& taker,
                       const std::string& location);

// Folds a newly stored report into its event's record (`received` on this
// node's clock). A report older than the latest (lower event_seq, arriving
// late) is counted but does not move the event back.
void UpdateEvent(const StoredReport& stored, absl::Time received,
                 const DeadlinePolicy& policy, EventRecord* event);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_DEADLINES_H_
