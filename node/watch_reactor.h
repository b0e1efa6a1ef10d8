#ifndef KUAIBAO_NODE_WATCH_REACTOR_H_
#define KUAIBAO_NODE_WATCH_REACTOR_H_

#include "grpcpp/support/server_callback.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/feed_hub.h"
#include "relay/identity.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// One Query.Watch call: the node's feed after the request's cursor, items
// inside the caller's region (and of the asked grades) only.
//
// It first reads what is already written (RelayEngine::ReadFeed), a page at a
// time,
// one write to the stream at a time; then it follows the FeedHub. It
// subscribes before its first read, so an item written meanwhile is either in
// the store when it reads or in its queue (the overlap is skipped by cursor).
// Only gRPC threads read the store; the store's writer thread only fills the
// bounded queue and wakes the reactor. A watcher whose queue overflowed while
// it had not taken its items (it reads slower than the node records) is
// ended with ABORTED and the cursor to resume from.
//
// Deletes itself when the call is over. Borrowed: `relay` and `hub` outlive
// every call (the server is shut down before them).
grpc::ServerWriteReactor<v1::WatchResponse>* NewWatchReactor(
    const RelayEngine* relay, FeedHub* hub, Identity caller,
    const v1::WatchRequest& request);

// A Watch call refused before it starts: finishes with `status`.
grpc::ServerWriteReactor<v1::WatchResponse>* RefusedWatch(
    const grpc::Status& status);

// How many items a watcher's queue holds before it is ended as behind.
inline constexpr size_t kWatchQueueCapacity = 4096;

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_WATCH_REACTOR_H_
