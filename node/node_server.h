#ifndef KUAIBAO_NODE_NODE_SERVER_H_
#define KUAIBAO_NODE_NODE_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "node/node_config.h"
#include "relay/base/clock.h"

namespace kuaibao {

// One running node: store, relay engine, gRPC server (intake, relay, query,
// health, reflection) and the forwarder to its parent.
class NodeServer {
 public:
  // Checks the configuration against the certificate and the region table,
  // opens the store and starts serving. Errors say what to fix:
  // FAILED_PRECONDITION (certificate and config disagree, port in use, data
  // directory locked), DATA_LOSS (damaged store), NOT_FOUND (a file).
  // `clock` is borrowed and must outlive the server.
  static absl::StatusOr<std::unique_ptr<NodeServer>> Start(
      const NodeConfig& config, Clock* clock);
  virtual ~NodeServer() = default;

  // The port actually listened on.
  virtual int port() const = 0;
  // Stops accepting, finishes streams in progress (at most `grace`), stops
  // forwarding and closes the store. Idempotent.
  virtual void Shutdown(absl::Duration grace) = 0;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_SERVER_H_
