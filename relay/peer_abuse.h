#ifndef KUAIBAO_RELAY_PEER_ABUSE_H_
#define KUAIBAO_RELAY_PEER_ABUSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"

namespace kuaibao {

// Notices the authenticated peer whose calls are cancelled, or started, at a
// rate no real client or child reaches (HTTP/2 rapid reset, CVE-2023-44487:
// HEADERS then RST_STREAM, over and over, each costing the server a call)
// and refuses it for a cool-down: the node then cuts its connections and fails
// its TLS handshakes until the cool-down is over (node/peer_guard.h). A real
// peer cancels a call when it gives up waiting or its user presses Ctrl-C: a
// few a minute, far below the limit; it starts a stream and sends many reports
// on it. Started calls are counted too because they are seen first: under
// attack gRPC tells of a call's cancellation seconds after it began it.
//
// Thread-safe.
class PeerAbuseWatch {
 public:
  struct Limits {
    // More cancelled calls than this within `window` starts the cool-down.
    int max_cancelled = 200;
    absl::Duration window = absl::Seconds(10);
    absl::Duration cooldown = absl::Minutes(5);
    // So do more calls started than this within `window` (the node counts
    // streams only).
    int max_started = 2000;
  };

  // What the metrics show of one peer.
  struct PeerState {
    std::string peer;
    uint64_t cancelled_total = 0;
    uint64_t cooldowns = 0;
    bool cooling = false;
  };

  // Borrowed: `clock` outlives the watch.
  PeerAbuseWatch(Limits limits, Clock* clock);

  // Counts one cancelled call of `peer` (its identity URI). True when this
  // call starts the peer's cool-down (once per cool-down): the caller logs
  // it and cuts the peer's connections.
  bool Cancelled(const std::string& peer);
  // Counts one call `peer` started; true as for Cancelled.
  bool Started(const std::string& peer);

  // Until when `peer` is refused, or nullopt when it is not.
  std::optional<absl::Time> RefusedUntil(const std::string& peer);

  // Every peer remembered with a cancelled call or a cool-down, by name.
  std::vector<PeerState> Peers();

  const Limits& limits() const { return limits_; }

 private:
  struct Peer {
    absl::Time window_start;
    int cancelled_in_window = 0;
    int started_in_window = 0;
    uint64_t cancelled_total = 0;
    uint64_t cooldowns = 0;
    absl::Time refused_until = absl::InfinitePast();
  };

  // Counts one call, cancelled or started; true if that starts a cool-down.
  bool Count(const std::string& peer, bool cancelled);

  const Limits limits_;
  Clock* const clock_;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Peer> peers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_RELAY_PEER_ABUSE_H_
