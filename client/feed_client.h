#ifndef KUAIBAO_CLIENT_FEED_CLIENT_H_
#define KUAIBAO_CLIENT_FEED_CLIENT_H_

// The node's live feed (Query.Watch) and its children's links
// (Monitor.ListChildren), behind an interface without gRPC headers, for
// `kuaibao watch` and `kuaibao console`.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/monitor.pb.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

class FeedClient {
 public:
  virtual ~FeedClient() = default;
  // One Watch call: `on_item` for each message until it returns false (the
  // call is then cancelled, OK returned) or the stream ends (its status).
  virtual absl::Status Watch(
      const v1::WatchRequest& request,
      const std::function<bool(const v1::WatchResponse&)>& on_item) = 0;
  virtual absl::StatusOr<v1::ListChildrenResponse> ListChildren() = 0;
};

// A client for the node at `address` over mutual TLS; `timeout` bounds
// ListChildren (a Watch has no deadline). Defined in grpc_feed_client.cc.
absl::StatusOr<std::unique_ptr<FeedClient>> ConnectFeedClient(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout);

struct FollowOptions {
  uint64_t since = 0;
  std::vector<v1::Grade> grades;
  absl::Duration min_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  // Called after each break with its status and the cursor resumed from;
  // false: stop following (FollowFeed returns that status).
  std::function<bool(const absl::Status&, uint64_t)> on_break;
};

// Follows the feed from `options.since`: every item once, in the node's
// order. After any break (the node restarted, the network failed, the node
// said this watcher fell behind) it waits (backoff doubling to max_backoff,
// reset by an item) and resumes after the last cursor it saw. Returns OK
// when `on_item` returned false.
absl::Status FollowFeed(
    FeedClient& client, const FollowOptions& options,
    const std::function<bool(const v1::WatchResponse&)>& on_item);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_FEED_CLIENT_H_
