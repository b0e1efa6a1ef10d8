#include "node/server_limits.h"

#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"

namespace kuaibao {
namespace {

// Streams one connection may have open at once: a client has one intake
// stream and a few queries, a child node one relay stream.
constexpr int kMaxConcurrentStreams = 16;
// Memory gRPC may use for buffers across all connections.
constexpr size_t kMaxServerMemory = 256 << 20;
// A connection that has not finished its TLS handshake by then is dropped
// (gRPC's default is 120 s: plenty of time to hold descriptors).
constexpr int kHandshakeTimeoutMs = 10 * 1000;
// A connection without calls for this long is closed (a child's relay stream
// is a call, so it is never idle).
constexpr int kMaxConnectionIdleMs = 10 * 60 * 1000;
// Every connection is re-established at least this often, so that a revoked
// certificate or a new CRL reaches connections that were open before; the
// grace lets a stream in progress finish (the forwarder resends what was not
// acknowledged on a new one).
constexpr int kMaxConnectionAgeMs = 60 * 60 * 1000;
constexpr int kMaxConnectionAgeGraceMs = 5 * 60 * 1000;
// Keepalive pings: children ping every 10 s (node/forwarder.cc); more often
// than every 5 s is abuse, and the second strike closes the connection.
constexpr int kMinPingIntervalMs = 5 * 1000;
constexpr int kMaxPingStrikes = 2;

}  // namespace

void ApplyServerLimits(const NodeConfig& config, grpc::ServerBuilder* builder) {
  // Without this a second node on the same port starts silently and the
  // kernel splits connections between the two.
  builder->AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder->SetMaxReceiveMessageSize(
      static_cast<int>(config.max_message_bytes()));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                              kMaxConcurrentStreams);
  builder->AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                              kHandshakeTimeoutMs);
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                              kMaxConnectionIdleMs);
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                              kMaxConnectionAgeMs);
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                              kMaxConnectionAgeGraceMs);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder->AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      kMinPingIntervalMs);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, kMaxPingStrikes);
  grpc::ResourceQuota quota("kuaibao-node");
  quota.Resize(kMaxServerMemory);
  builder->SetResourceQuota(quota);
}

void RaiseFileLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    Log(LogLevel::kWarning, "cannot read the open-file limit",
        {{"reason", std::strerror(errno)}});
    return;
  }
  rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (before != limit.rlim_max && setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    Log(LogLevel::kWarning, "cannot raise the open-file limit",
        {{"soft", absl::StrCat(before)},
         {"hard", absl::StrCat(limit.rlim_max)},
         {"reason", std::strerror(errno)}});
    return;
  }
  Log(before < 65536 && limit.rlim_max < 65536 ? LogLevel::kWarning
                                               : LogLevel::kInfo,
      "open-file limit",
      {{"was", absl::StrCat(before)},
       {"now", absl::StrCat(limit.rlim_max)},
       {"advice", limit.rlim_max < 65536
                      ? "raise the hard limit (LimitNOFILE=65536 in the "
                        "systemd unit)"
                      : "ok"}});
}

}  // namespace kuaibao
