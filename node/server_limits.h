#ifndef KUAIBAO_NODE_SERVER_LIMITS_H_
#define KUAIBAO_NODE_SERVER_LIMITS_H_

#include "node/node_config.h"

namespace grpc {
class ServerBuilder;
}  // namespace grpc

namespace kuaibao {

// The node's defences against a peer that misbehaves below the application:
// a second node on the same port, oversize messages, too many streams, idle
// or never-finishing connections, abusive pings. gRPC 1.51's defaults are
// generous, and Debian's build has no fixes for the HTTP/2 CVEs of 2023
// (README, Security), so every limit is set here.
void ApplyServerLimits(const NodeConfig& config, grpc::ServerBuilder* builder);

// Raises this process's soft limit on open files to the hard limit and logs
// both: a gRPC 1.51 server that runs out of descriptors in accept() never
// serves again (CVE-2023-4785 class), and the default soft limit (1024) is
// within reach of anyone who can open TCP connections.
void RaiseFileLimit();

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_SERVER_LIMITS_H_
