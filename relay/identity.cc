#include "relay/identity.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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
  if (parts.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "identity '", uri, "' must be ", kIdentityUriPrefix, parts[0],
        identity.role == Role::kNode ? "/<region>" : "/<region>/<name>"));
  }
  absl::Status region = LevelOf(parts[1]).status();
  if (!region.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity '", uri, "': ", region.message()));
  }
  identity.region = std::string(parts[1]);
  if (expected == 3) {
    if (!ValidName(parts[2])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "identity '", uri,
          "': name must be 1-64 letters, digits, '-', '_' or '.'"));
    }
    identity.name = std::string(parts[2]);
  }
  return identity;
}

std::string IdentityUri(Role role, absl::string_view region,
                        absl::string_view name) {
  std::string uri =
      absl::StrCat(kIdentityUriPrefix, RoleName(role), "/", region);
  if (!name.empty()) absl::StrAppend(&uri, "/", name);
  return uri;
}

}  // namespace kuaibao
