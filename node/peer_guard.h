#ifndef KUAIBAO_NODE_PEER_GUARD_H_
#define KUAIBAO_NODE_PEER_GUARD_H_

#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "node/stream_watch.h"
#include "relay/base/clock.h"
#include "relay/base/log_limiter.h"
#include "relay/peer_abuse.h"

namespace grpc {
class AuthContext;
class ServerBuilder;
class ServerCredentials;
class ServerContextBase;
}  // namespace grpc

namespace kuaibao {

// The node's defences against one hostile authenticated peer, beyond the
// limits gRPC 1.51 itself offers (node/server_limits.h), which do not stop
// HTTP/2 rapid reset (CVE-2023-44487: each HEADERS + RST_STREAM costs the
// server a call, and the stream limit never counts it):
//  - every cancelled call is counted per peer identity (a server
//    interceptor); a peer over PeerAbuseWatch's limit is refused for a
//    cool-down: named in the log and the metrics, its connections shut
//    down at the socket (gRPC has no call for it), its TLS handshakes
//    failed until the cool-down ends (CheckHandshake);
//  - streams that stall mid-message are ended (StreamWatch);
//  - freed heap that a spike left behind is returned to the system
//    (malloc_trim): glibc keeps it otherwise, and the node's RSS stays at
//    the spike's height for good.
// The loop runs every `interval` in real time.
//
// Thread-safe. Owns one thread (Start .. Shutdown).
class PeerGuard {
 public:
  struct Options {
    PeerAbuseWatch::Limits abuse;
    absl::Duration stalled_stream = absl::Minutes(2);
    // Heap freed since the last return beyond this is returned.
    size_t max_freed_heap = size_t{64} << 20;
    absl::Duration interval = absl::Seconds(1);
  };

  // Borrowed: `clock` (real time) outlives the guard.
  PeerGuard(Options options, Clock* clock);
  ~PeerGuard();

  void Start();
  void Shutdown();
  // One round of the loop: ends the stalled streams, returns freed memory.
  void Check();

  StreamWatch* streams() { return &streams_; }

  // The handshake's check of a peer's certificate (PEM): refuses the peer
  // while it cools down (RESOURCE_EXHAUSTED, saying until when and why).
  absl::Status CheckHandshake(const std::string& leaf_pem);
  // Logs a refused handshake, at most 20 lines a minute per reason.
  void LogRefusedHandshake(const absl::Status& status);

  // Counts cancelled calls and notes connections (a server interceptor).
  void Install(grpc::ServerBuilder* builder);
  // Counts the streams each peer starts as gRPC creates them, and refuses
  // the calls of a peer in its cool-down there (an auth metadata processor:
  // it runs before a call is queued for the services).
  void InstallGate(grpc::ServerCredentials* credentials);
  // The gate's check of one call (`stream`: not a unary method): refuses it
  // (RESOURCE_EXHAUSTED, saying until when) while its peer cools down.
  absl::Status CallBegun(const grpc::AuthContext& auth, bool stream);
  // A call begun, and one ended by its peer's cancellation (the
  // interceptor's reports); `address` is gRPC's name of the connection's
  // other end.
  void CallStarted(grpc::ServerContextBase* context,
                   const std::string& address);
  void CallCancelled(grpc::ServerContextBase* context,
                     const std::string& address);

  // The guard's metrics (Prometheus text): per peer its cancelled calls and
  // cool-downs, stalled streams ended, memory returned.
  std::string RenderMetrics();

 private:
  // Counts the call; refuses and cuts as PeerAbuseWatch decides.
  void Counted(grpc::ServerContextBase* context, const std::string& address,
               bool cancelled);
  // Logs the start of `peer`'s cool-down (one error line).
  void LogCooldown(const std::string& peer, bool cancelled,
                   const std::string& address);
  // Notes a connection `peer` started a stream on.
  void Remember(const std::string& peer, const std::string& address);
  // Shuts down the connection `address` (gRPC's peer string) and every
  // other one `peer` was noted on (CutAll).
  void Cut(const std::string& address, const std::string& peer);
  // Shuts down every connection `peer` was noted on, each unless it was
  // shut down in the last minute.
  void CutAll(const std::string& peer);

  const Options options_;
  Clock* const clock_;
  PeerAbuseWatch abuse_;
  StreamWatch streams_;
  LogLimiter lines_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, absl::Time> cut_ ABSL_GUARDED_BY(mu_);
  // Per peer identity, the connections (gRPC's peer strings) it started
  // streams on, newest last.
  absl::flat_hash_map<std::string, std::vector<std::string>> addresses_
      ABSL_GUARDED_BY(mu_);
  uint64_t connections_cut_ ABSL_GUARDED_BY(mu_) = 0;
  size_t freed_after_return_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t memory_returns_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_PEER_GUARD_H_
