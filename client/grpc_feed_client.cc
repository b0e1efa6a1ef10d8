#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "absl/time/clock.h"
#include "client/feed_client.h"
#include "client/grpc_unary_call.h"
#include "kuaibao/v1/monitor.grpc.pb.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

class GrpcFeedClient final : public FeedClient {
 public:
  GrpcFeedClient(const std::shared_ptr<grpc::Channel>& channel,
                 absl::Duration timeout)
      : query_(v1::Query::NewStub(channel)),
        monitor_(v1::Monitor::NewStub(channel)),
        timeout_(timeout) {}

  absl::Status Watch(
      const v1::WatchRequest& request,
      const std::function<bool(const v1::WatchResponse&)>& on_item) override {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader =
        query_->Watch(&context, request);
    v1::WatchResponse response;
    while (reader->Read(&response)) {
      if (!on_item(response)) {
        context.TryCancel();
        reader->Finish().ok();  // the status of a call we cancelled
        return absl::OkStatus();
      }
    }
    return FromGrpcStatus(reader->Finish());
  }

  absl::StatusOr<v1::ListChildrenResponse> ListChildren() override {
    return UnaryCall(monitor_.get(), &v1::Monitor::Stub::ListChildren,
                     v1::ListChildrenRequest(), timeout_);
  }

 private:
  std::unique_ptr<v1::Query::Stub> query_;
  std::unique_ptr<v1::Monitor::Stub> monitor_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FeedClient>> ConnectFeedClient(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(tls));
  grpc::ChannelArguments args;
  // Reconnect quickly after the node comes back (the default waits up to
  // two minutes between attempts).
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return std::make_unique<GrpcFeedClient>(
      grpc::CreateCustomChannel(address, credentials, args), timeout);
}

absl::Status FollowFeed(
    FeedClient& client, const FollowOptions& options,
    const std::function<bool(const v1::WatchResponse&)>& on_item) {
  uint64_t cursor = options.since;
  absl::Duration backoff = options.min_backoff;
  for (;;) {
    v1::WatchRequest request;
    request.set_since(cursor);
    for (v1::Grade grade : options.grades) request.add_grades(grade);
    bool stopped = false;
    absl::Status ended = client.Watch(request, [&](const v1::WatchResponse& r) {
      cursor = r.cursor();
      backoff = options.min_backoff;
      if (on_item(r)) return true;
      stopped = true;
      return false;
    });
    if (stopped) return absl::OkStatus();
    if (options.on_break && !options.on_break(ended, cursor)) return ended;
    // The wall clock paces the retries only.
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, options.max_backoff);
  }
}

}  // namespace kuaibao
