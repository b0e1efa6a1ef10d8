#ifndef KUAIBAO_RELAY_STANDBY_LINKS_H_
#define KUAIBAO_RELAY_STANDBY_LINKS_H_

// Standby nodes (deploy/README.md, "Standby nodes"): a region may run a
// second node, its standby, with the same region and certificate identity.
// Links are named by what they lead to; the region's two nodes share a
// region code, so the links to a standby and from a standby to its primary
// get a suffix. '~' never occurs in a region code and sorts after '/', so
// the outbox keys of one link never fall inside another's queue.

#include <string>

#include "relay/report_types.h"

namespace kuaibao {

// The link to `region`'s standby node.
std::string StandbyLink(const std::string& region);
// A standby's link to its primary.
std::string PrimaryLink(const std::string& region);
// The link to the other node of `region`, from its primary (`standby`
// false) or from its standby.
std::string PeerLinkOf(const std::string& region, bool standby);
// The region a link leads to (the link itself for a plain region link).
std::string RegionOfLink(const std::string& link);

// The report came to this node from the other node of its region: its last
// two hops name the same region. Such a copy is the other node's to forward.
bool IsPeerCopy(const StoredReport& stored);

// The request metadata key of a relay stream (Escalate) opened by a
// region's standby node: it has its primary's identity, and the upstream
// keeps its stream beside the primary's (node/child_streams.h).
inline constexpr char kStandbyStreamKey[] = "kuaibao-standby";

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_STANDBY_LINKS_H_
