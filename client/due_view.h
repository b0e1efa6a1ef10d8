#ifndef KUAIBAO_CLIENT_DUE_VIEW_H_
#define KUAIBAO_CLIENT_DUE_VIEW_H_

// What `kuaibao due` prints: the duty officer's view of the deadlines of a
// node's subtree. Pure: no I/O, no gRPC.

#include <string>

#include "absl/time/time.h"
#include "kuaibao/v1/audit.pb.h"
#include "kuaibao/v1/service.pb.h"

namespace kuaibao {

// A header naming the node and the as-of time, then one table per group, in
// this order and only when the group has rows:
//   OVERDUE (迟报 in the making), AT RISK, ON TIME (due soon),
//   MET LATE (recent breaches), MET (the node sends these only when asked),
//   OTHER (a state this build does not know).
// Within a group the node's order is kept (soonest due first). Each row: the
// rule in words, the report (or, for the event's own deadlines, the event),
// the headline, the responsible node, the due time and how it stands
// relative to the as-of time ("in 35m", "overdue by 1h05m", "late by 12m").
// Drill and test deadlines are not in the groups: they follow under
// "Drills (never counted)", each row marked [DRILL]. `now` stands in for the
// as-of time when the node sent none. Every line ends in '\n'.
std::string FormatDue(const v1::ListDueResponse& response, absl::Time now);

// "2 overdue, 1 at risk, 1 late", counting real deadlines only, plus
// "; 3 drill deadlines not counted" when there are drill ones. No newline.
std::string FormatDueSummary(const v1::ListDueResponse& response);

// The breaches no auditor has marked reviewed yet, however old, that are not
// already among `due`'s deadlines: "Breaches awaiting review (kept until an
// auditor marks them reviewed): N" and a table (rule with its budget, what
// it is about, headline, responsible, due, late by); "" when there are none.
// Drills are left out.
std::string FormatAwaitingReview(const v1::ListDueResponse& due,
                                 const v1::ListBreachesResponse& breaches);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_DUE_VIEW_H_
