#ifndef KUAIBAO_NODE_DEPARTMENT_CONFIG_H_
#define KUAIBAO_NODE_DEPARTMENT_CONFIG_H_

// The department settings of a node's configuration (NodeConfig 950+,
// README "Departments"): checked when the file is parsed, applied to the
// relay's options once the tables are loaded.

#include <string>

#include "absl/status/status.h"
#include "kuaibao/v1/config.pb.h"
#include "relay/departments.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// The node id of an upstream (relay/node_id.h).
std::string UpstreamNodeId(const v1::Upstream& upstream);

// The form of the department settings, with defaults filled in (the across
// links' classification): a department node's parent is the same
// department one level up and its across link its region's government; a
// government's parent is a government and its across links departments of
// its region; routing rules name only departments linked across; a
// department table when any of it is used. INVALID_ARGUMENT naming the field.
absl::Status CheckDepartmentConfig(v1::NodeConfig* config);

// Checks the codes against the tables (each department must have an office
// at its node's level) and sets the relay's node id, across links and
// routing rules. FAILED_PRECONDITION naming the field.
absl::Status ApplyDepartmentConfig(const v1::NodeConfig& config,
                                   const RegionTable& regions,
                                   const DepartmentTable& departments,
                                   RelayOptions* options);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_DEPARTMENT_CONFIG_H_
