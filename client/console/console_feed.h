#ifndef KUAIBAO_CLIENT_CONSOLE_CONSOLE_FEED_H_
#define KUAIBAO_CLIENT_CONSOLE_CONSOLE_FEED_H_

// The console's one view of its node, shared by every browser tab: a thread
// that follows the node's feed (FollowFeed, resuming by cursor after any
// break) into a ring of the latest items, and a thread that asks the node
// for its status every few seconds to tell whether it is reachable and, if
// not, why (the console's certificate expired, the handshake was refused,
// the node is down). Browsers read both through Server-Sent Events.

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/feed_client.h"
#include "client/relay_client.h"

namespace kuaibao {

class ConsoleFeed {
 public:
  // How many of the latest items a browser that (re)connects can get.
  static constexpr size_t kRing = 5000;

  // Borrowed: the clients outlive the feed. `cert_file`: the console's own
  // certificate, whose expiry explains a refused connection.
  ConsoleFeed(FeedClient* feed, RelayClient* status_client,
              std::string cert_file);
  ~ConsoleFeed();

  void Start();
  void Stop();

  struct Snapshot {
    std::deque<std::string> items;  // SSE frames after the asked cursor
    uint64_t last = 0;
    std::string node_state;  // JSON: {"up":bool,"reason":"...","kind":"..."}
    uint64_t state_version = 0;
  };
  // Waits up to `timeout` for an item after `after` or a state change after
  // `state_version`; returns what there is.
  Snapshot WaitFor(uint64_t after, uint64_t state_version,
                   absl::Duration timeout);

 private:
  void FollowLoop();
  void StatusLoop();
  void SetState(bool up, const std::string& kind, const std::string& reason);

  FeedClient* const feed_;
  RelayClient* const status_client_;
  const std::string cert_file_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // (cursor, SSE frame)
  std::deque<std::pair<uint64_t, std::string>> ring_ ABSL_GUARDED_BY(mu_);
  std::string state_ ABSL_GUARDED_BY(mu_);
  uint64_t state_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread follower_, poller_;
};

// Why a call to the node failed, for a duty officer: "expired" (the
// console's certificate is past its notAfter), "not_yet_valid",
// "handshake" (the node refused the certificate: revoked, or not of this
// province), "down" (nothing answers). Reads `cert_file`.
std::string FailureKind(const absl::Status& status,
                        const std::string& cert_file, absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_CONSOLE_CONSOLE_FEED_H_
