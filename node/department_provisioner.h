#ifndef KUAIBAO_NODE_DEPARTMENT_PROVISIONER_H_
#define KUAIBAO_NODE_DEPARTMENT_PROVISIONER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "node/address_plan.h"
#include "node/node_provisioner.h"
#include "relay/departments.h"
#include "relay/region.h"

namespace kuaibao {

// The department nodes of `codes` (departments of `departments`) for every
// province, city and county of `table` where the department has an office
// (README "Departments"): each with its parent the same department one level
// up, its government across, reached at `department_pattern` (placeholders
// {code}, {prefix}, {dept}; default kDefaultDepartmentPattern) and, for its
// government, at `plan`. Manifest entries name the node id
// ("140105000000:yjglt"). INVALID_ARGUMENT naming the code for an unknown
// department; every configuration is checked as the node will read it.
inline constexpr char kDefaultDepartmentPattern[] =
    "{dept}-{code}.kuaibao.internal:7400";
absl::StatusOr<std::vector<ProvisionedNode>> ProvisionDepartmentNodes(
    const RegionTable& table, const DepartmentTable& departments,
    const std::vector<std::string>& codes, const AddressPlan& plan,
    const std::string& department_pattern, const InstallPaths& paths);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_DEPARTMENT_PROVISIONER_H_
