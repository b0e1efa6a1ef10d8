#ifndef KUAIBAO_NODE_STORE_REPAIR_COMMAND_H_
#define KUAIBAO_NODE_STORE_REPAIR_COMMAND_H_

#include <ostream>

#include "node/node_config.h"
#include "relay/base/clock.h"

namespace kuaibao {

// `kuaibao-node --repair --config FILE`, with the node stopped: copies the
// data directory aside (<data_dir>.damaged-<UTC time>), repairs the store
// (RepairStore) and prints what it recovered and what the next start will
// send. Returns the process exit code: 0 repaired, 1 not (the reason on
// `err`).
int RunStoreRepair(const NodeConfig& config, Clock* clock, std::ostream& out,
                   std::ostream& err);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_STORE_REPAIR_COMMAND_H_
