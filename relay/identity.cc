#include "relay/identity.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "relay/node_id.h"
#include "relay/region.h"

namespace kuaibao {
namespace {

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kNode:
      return "node";
    case Role::kClient:
      return "client";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

absl::StatusOr<Identity> ParseIdentity(absl::string_view uri) {
  if (!absl::StartsWith(uri, kIdentityUriPrefix)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "identity '", uri, "' does not start with ", kIdentityUriPrefix));
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(uri.substr(kIdentityUriPrefix.size()), '/');
  Identity identity;
  identity.uri = std::string(uri);
  if (parts[0] == "node") {
    identity.role = Role::kNode;
  } else if (parts[0] == "client") {
    identity.role = Role::kClient;
  } else if (parts[0] == "auditor") {
    identity.role = Role::kAuditor;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("identity '", uri, "' has unknown role '", parts[0], "'"));
  }
  size_t expected = identity.role == Role::kNode ? 2 : 3;
  // A department's node: node/<region>/dept/<code>.
  if (identity.role == Role::kNode && parts.size() == 4 && parts[2] == "dept") {
    if (!ValidDepartmentCode(parts[3])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "identity '", uri,
          "': department code must be 1-16 lowercase letters and digits, "
          "starting with a letter"));
    }
    identity.department = std::string(parts[3]);
    expected = 4;
  }
  if (parts.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "identity '", uri, "' must be ", kIdentityUriPrefix, parts[0],
        identity.role == Role::kNode ? "/<region>[/dept/<code>]"
                                     : "/<region>/<name>"));
  }
  absl::Status region = LevelOf(parts[1]).status();
  if (!region.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity '", uri, "': ", region.message()));
  }
  identity.region = std::string(parts[1]);
  if (identity.role != Role::kNode) {
    if (!ValidName(parts[2])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "identity '", uri,
          "': name must be 1-64 letters, digits, '-', '_' or '.'"));
    }
    identity.name = std::string(parts[2]);
  }
  return identity;
}

std::string Identity::NodeId() const { return MakeNodeId(region, department); }

std::string IdentityUri(Role role, absl::string_view region,
                        absl::string_view name) {
  if (role == Role::kNode && !NodeDepartment(region).empty()) {
    return absl::StrCat(kIdentityUriPrefix, "node/", NodeRegion(region),
                        "/dept/", NodeDepartment(region));
  }
  std::string uri =
      absl::StrCat(kIdentityUriPrefix, RoleName(role), "/", region);
  if (!name.empty()) absl::StrAppend(&uri, "/", name);
  return uri;
}

}  // namespace kuaibao
