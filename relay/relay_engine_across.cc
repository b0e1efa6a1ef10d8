// RelayEngine's hand-offs between governments and departments (左右交错);
// the rules are in relay/department_routing.h.
#include "absl/strings/str_cat.h"
#include "relay/base/log.h"
#include "relay/node_id.h"
#include "relay/relay_engine.h"

namespace kuaibao {

void RelayEngine::QueueAcross(const StoredReport& stored, StoreBatch* batch) {
  for (AcrossTarget& target :
       AcrossTargets(options_.node, !options_.parent.empty(), options_.across,
                     options_.department_routes, stored)) {
    if (target.configured) {
      QueueFor(target.node, ROUTE_ACROSS, target.reason, stored, batch);
      continue;
    }
    const std::string& id = stored.report().report_id();
    Log(LogLevel::kWarning, "report held: no node for a department it names",
        {{"report_id", id}, {"department", target.node}});
    Forwarding forwarding;
    forwarding.set_to(target.node);
    forwarding.set_route(ROUTE_ACROSS);
    Hold(batch,
         outbox_.KeyFor(target.node, PriorityOf(stored.report()), stored),
         std::move(forwarding), id, absl::StrCat("held here: ", target.reason));
  }
}

}  // namespace kuaibao
