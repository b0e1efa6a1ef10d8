#ifndef KUAIBAO_NODE_CHAIN_VERIFY_COMMAND_H_
#define KUAIBAO_NODE_CHAIN_VERIFY_COMMAND_H_

#include <ostream>

#include "node/node_config.h"

namespace kuaibao {

// `kuaibao-node --verify-chain --config FILE`, with the node stopped (or on a
// copy of its data directory): recomputes the hash chain of the hop records
// in the store (HopChain::Verify) and prints how many links hold and the
// first broken one. Offline rather than an RPC so that it runs on a copy or
// a backup without the node, and so that a full scan of the store never
// competes with a serving node. Returns the exit code: 0 intact, 1 broken
// (the link and why on `out`), 2 the store cannot be opened or read.
int RunChainVerify(const NodeConfig& config, std::ostream& out,
                   std::ostream& err);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CHAIN_VERIFY_COMMAND_H_
