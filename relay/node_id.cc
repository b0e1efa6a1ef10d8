#include "relay/node_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "relay/identity.h"
#include "relay/region.h"

namespace kuaibao {

std::string MakeNodeId(absl::string_view region, absl::string_view department) {
  if (department.empty()) return std::string(region);
  return absl::StrCat(region, ":", department);
}

absl::string_view NodeRegion(absl::string_view node_id) {
  return node_id.substr(0, node_id.find(':'));
}

absl::string_view NodeDepartment(absl::string_view node_id) {
  size_t colon = node_id.find(':');
  return colon == absl::string_view::npos ? absl::string_view()
                                          : node_id.substr(colon + 1);
}

bool ValidDepartmentCode(absl::string_view code) {
  if (code.empty() || code.size() > 16 ||
      !absl::ascii_islower(static_cast<unsigned char>(code[0]))) {
    return false;
  }
  for (char c : code) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

absl::Status CheckNodeId(absl::string_view node_id) {
  absl::StatusOr<Level> level = LevelOf(NodeRegion(node_id));
  if (!level.ok()) return level.status();
  if (*level == Level::kVillage) {
    return absl::InvalidArgumentError(
        absl::StrCat("node ", node_id, ": villages run no node"));
  }
  if (node_id.find(':') != absl::string_view::npos &&
      !ValidDepartmentCode(NodeDepartment(node_id))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "node ", node_id,
        ": a department code is 1-16 lowercase letters and digits"));
  }
  return absl::OkStatus();
}

absl::Status CheckRelayPeer(absl::string_view here, const Identity& child) {
  if (child.role != Role::kNode) {
    return absl::PermissionDeniedError(
        absl::StrCat("only a node certificate may relay reports; ", child.uri,
                     " is a ", RoleName(child.role)));
  }
  const absl::string_view region = NodeRegion(here);
  const absl::string_view department = NodeDepartment(here);
  const bool below =
      child.region != region && RegionContains(region, child.region);
  const bool beside = child.region == region;
  if (department.empty()) {
    if ((below && child.department.empty()) ||
        (beside && !child.department.empty())) {
      return absl::OkStatus();
    }
    return absl::PermissionDeniedError(absl::StrCat(
        "node ", child.NodeId(), " may not relay to ", here,
        ": a government takes reports from the governments below it and "
        "from the departments of its own region"));
  }
  if ((below && child.department == department) ||
      (beside && child.department.empty())) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "node ", child.NodeId(), " may not relay to ", here,
      ": a department takes reports from the same department below it and "
      "from the government of its own region"));
}

}  // namespace kuaibao
