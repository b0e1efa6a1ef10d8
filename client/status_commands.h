#ifndef KUAIBAO_CLIENT_STATUS_COMMANDS_H_
#define KUAIBAO_CLIENT_STATUS_COMMANDS_H_

#include "client/command_io.h"
#include "client/relay_client.h"

namespace kuaibao {

// `kuaibao status`: whether the node takes new reports, its disk, and its
// upstream links. kExitFailure when the call fails.
int RunStatus(RelayClient& client, const CommandIo& io);

// `kuaibao origins [--gaps]`: each origin the node received reports from
// (within the caller's subtree) with its numbers and gaps, all pages, then
// a tally on io.err. kExitFailure when a call fails.
int RunOrigins(RelayClient& client, bool gaps_only, const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_STATUS_COMMANDS_H_
