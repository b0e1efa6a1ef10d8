#ifndef KUAIBAO_RELAY_NODE_ID_H_
#define KUAIBAO_RELAY_NODE_ID_H_

// Nodes are governments or departments (the notice's 左右交错 network:
// governments and their departments, each reporting up its own line and
// across to the other at the same time). A node's id is what hop records,
// receipts, forwardings, outbox keys and deadlines name it by:
//   140105000000          the government of 小店区
//   140105000000:yjglt    小店区应急管理局, the 应急管理 line's node there
// The department code (relay/departments.h) is the line's code, the same at
// every level: a county's 应急管理局, its city's and 山西省应急管理厅 are all
// "yjglt". The certificate names it as spiffe://kuaibao/node/<region>/dept/
// <code> (relay/identity.h).

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kuaibao {

struct Identity;

// "<region>" or "<region>:<department>".
std::string MakeNodeId(absl::string_view region, absl::string_view department);
// The region part of a node id (the id itself for a government node).
absl::string_view NodeRegion(absl::string_view node_id);
// The department part; empty for a government node.
absl::string_view NodeDepartment(absl::string_view node_id);
// True for 1-16 lowercase letters and digits, starting with a letter.
bool ValidDepartmentCode(absl::string_view code);
// OK when `node_id` is a well-formed region code, optionally followed by
// ":<department code>"; INVALID_ARGUMENT saying why.
absl::Status CheckNodeId(absl::string_view node_id);

// May node `child` relay reports to the node `here` (a node id)? OK, or
// PERMISSION_DENIED saying why. Allowed:
//   - government ← government of a region inside it (level by level);
//   - government ← a department of its own region (across: 左右交错);
//   - department ← the same department of a region inside it (its line);
//   - department ← the government of its own region (across: a report the
//     government took in for that department).
absl::Status CheckRelayPeer(absl::string_view here, const Identity& child);

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_NODE_ID_H_
