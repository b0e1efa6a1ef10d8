#ifndef KUAIBAO_RELAY_IDENTITY_H_
#define KUAIBAO_RELAY_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kuaibao {

// Every certificate's URI SAN starts with this.
inline constexpr absl::string_view kIdentityUriPrefix = "spiffe://kuaibao/";

enum class Role { kNode, kClient, kAuditor };

absl::string_view RoleName(Role role);

// Who a peer is, as its certificate says:
//   spiffe://kuaibao/node/140105000000
//   spiffe://kuaibao/node/140105000000/dept/yjglt   (a department's node)
//   spiffe://kuaibao/client/140105001000/duty-1
//   spiffe://kuaibao/auditor/140100000000/inspector-2
// Authorization derives from it; there are no per-peer ACL files.
struct Identity {
  Role role = Role::kNode;
  std::string region;  // 12-digit code, well-formed
  std::string name;    // empty for nodes; required for clients and auditors
  // A department node's department code (relay/node_id.h); empty for a
  // government node and for clients and auditors.
  std::string department;
  std::string uri;  // the whole URI, as it appeared

  bool operator==(const Identity& other) const { return uri == other.uri; }
  // A node's id as hop records, receipts and forwardings name it: the
  // region, or "<region>:<department>" (relay/node_id.h).
  std::string NodeId() const;
};

// Parses an identity URI. INVALID_ARGUMENT saying which part is wrong.
absl::StatusOr<Identity> ParseIdentity(absl::string_view uri);

// The URI for a role, region and (for clients and auditors) name. For
// Role::kNode, `region` may be a department node's id ("<region>:<code>"),
// giving .../node/<region>/dept/<code>.
std::string IdentityUri(Role role, absl::string_view region,
                        absl::string_view name = "");

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_IDENTITY_H_
