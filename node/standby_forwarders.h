#ifndef KUAIBAO_NODE_STANDBY_FORWARDERS_H_
#define KUAIBAO_NODE_STANDBY_FORWARDERS_H_

// The node's side of standby nodes (deploy/README.md, "Standby nodes"): the
// relay's links to the other node of this region and to the upstreams'
// standbys, and the forwarders that carry them.

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "node/forwarder.h"
#include "node/node_config.h"
#include "relay/relay_engine.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

// Sets RelayOptions::standby, peer and standby_of, and the clearance of
// those links, from the configuration.
void AddStandbyLinks(const NodeConfig& config, RelayOptions* options);

// Appends to `forwarders` one per link AddStandbyLinks named: the other node
// of this region (its stream kept open, so a standby knows whether its
// primary is there; it also carries `peer_records`) and each upstream's
// standby (dialled only when a report fails over to it).
absl::Status AddStandbyForwarders(
    const NodeConfig& config, const TlsPaths& tls, RelayEngine* relay,
    PeerRecords* peer_records, Clock* clock,
    std::vector<std::unique_ptr<Forwarder>>* forwarders);

// Whether this node is acting for its region: a primary always, a standby
// while its link to the primary is not connected. `links` as the node
// monitor has them.
bool Acting(const RelayOptions& options,
            const std::vector<const Forwarder*>& links);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_STANDBY_FORWARDERS_H_
