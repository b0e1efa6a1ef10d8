#ifndef KUAIBAO_RELAY_DEPARTMENT_ROUTING_H_
#define KUAIBAO_RELAY_DEPARTMENT_ROUTING_H_

// Routing between governments and departments (左右交错, the notice 一(三)):
//  - a department node sends what it takes in up its own line (its parent,
//    the same department one level up) and, at the same time, across to its
//    region's government: every report it takes from a client, and every
//    report that reaches the top of its line (the province's department
//    delivers the department line to the provincial government, where the
//    two paths of one event merge: stored once, both paths kept);
//  - a government node sends a report it takes from a client across to the
//    departments concerned: those the report names (IncidentReport.
//    departments) and those the configuration's rules name for its category
//    and sector (NodeConfig.department_routes).
// Every across hand-off is an outbox entry with its receipt, like any hop
// (Route ROUTE_ACROSS).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "relay/report_types.h"

namespace kuaibao {

class DepartmentTable;

// One rule of NodeConfig.department_routes.
struct RoutingRule {
  std::vector<Category> categories;  // empty = any
  std::vector<std::string> sectors;  // empty = any
  std::vector<std::string> departments;
};

struct AcrossTarget {
  std::string node;  // node id (relay/node_id.h)
  std::string reason;
  // False for a department the report asks for whose node is not in
  // `across` here: the engine holds the report for it, with the reason, so
  // that the timeline and the held list say so.
  bool configured = true;
};

// Where `stored` (this node's hop last) goes across from node `here`, which
// has a parent or not and the `across` nodes configured; `routes` are the
// rules of a government node.
std::vector<AcrossTarget> AcrossTargets(const std::string& here,
                                        bool has_parent,
                                        const std::vector<std::string>& across,
                                        const std::vector<RoutingRule>& routes,
                                        const StoredReport& stored);

// True when no government took `stored` in before this node's hop (the
// last): this is the first government on its path, bound by the direct rule
// for urgent reports as the government that took it in.
bool FirstGovernmentOnPath(const StoredReport& stored);

// IncidentReport.departments and .sector: well-formed codes, at most 8
// departments, no repeats; with `table`, known departments. INVALID_ARGUMENT
// naming the field.
absl::Status CheckReportDepartments(const IncidentReport& report,
                                    const DepartmentTable* table);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_DEPARTMENT_ROUTING_H_
