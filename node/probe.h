#ifndef KUAIBAO_NODE_PROBE_H_
#define KUAIBAO_NODE_PROBE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "node/node_config.h"

namespace kuaibao {

// A health probe for a watchdog (kuaibao-node --probe --config FILE): dials
// the node that `config` describes on this machine, over mutual TLS with
// that node's own certificate, and makes a real call that reads the store
// (Query.ListReports, one report). A node wedged below gRPC (say, out of
// file descriptors) fails it, where a mere open port would pass.
//
// OK when the node answered within `timeout`; otherwise the call's status
// (UNAVAILABLE, DEADLINE_EXCEEDED, ...), or NOT_FOUND when the port file of
// a node on port 0 is missing.
absl::Status ProbeNode(const NodeConfig& config, absl::Duration timeout);

// Where to reach the node of `config` from its own machine: its listen
// address, with a wildcard host replaced by loopback and port 0 by the port
// file's. NOT_FOUND when the port file of a node on port 0 is missing.
absl::StatusOr<std::string> LocalNodeAddress(const NodeConfig& config);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_PROBE_H_
