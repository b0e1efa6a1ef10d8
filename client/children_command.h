#ifndef KUAIBAO_CLIENT_CHILDREN_COMMAND_H_
#define KUAIBAO_CLIENT_CHILDREN_COMMAND_H_

#include "client/command_io.h"
#include "client/feed_client.h"

namespace kuaibao {

// `kuaibao children`: the node's children and grandchildren
// (Monitor.ListChildren), worst first, one row each: region by name, state,
// last heard, backlog, oldest waiting, clock skew. With --json the response.
int RunChildren(FeedClient& client, const CommandIo& io);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_CHILDREN_COMMAND_H_
