#ifndef KUAIBAO_NODE_CHILD_STREAMS_H_
#define KUAIBAO_NODE_CHILD_STREAMS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuaibao/v1/children.pb.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/instruction_book.h"

namespace kuaibao {

// The relay streams child nodes hold open to this node, by child region:
// the way down for instructions. A child's stream is registered when its
// Escalate call starts and unregistered when the call is over; instructions
// queued for it are pushed when it connects and whenever new ones are
// queued. They stay queued until the child acknowledges them (after its own
// synced write), so a push into a breaking stream loses nothing: the child
// gets it again on its next stream.
//
// A region with a standby (deploy/README.md, "Standby nodes") may have two
// streams open at once, the primary's and the standby's (the same
// identity): both stay registered, instructions go down the primary's (the
// newest of its streams), the standby's only while it is the one connected,
// and a stream that ends removes only itself.
//
// Thread-safe.
class ChildStreams {
 public:
  // Writes one message down a stream; false if the stream is over.
  using Push = std::function<bool(v1::RelayDown)>;

  // Borrowed: `book` outlives this.
  explicit ChildStreams(InstructionBook* book) : book_(book) {}

  // A stream of `child`, from its region's standby node if `standby`.
  // Returns a token for Unregister.
  uint64_t Register(const std::string& child, bool standby, Push push);
  // Forgets that stream; the child's other streams stay. After this returns
  // its Push is never called again. What was pushed into it and not yet
  // acknowledged goes down the stream that remains, if one does.
  void Unregister(const std::string& child, uint64_t token);
  // Pushes everything queued for `child` down its primary's newest stream,
  // else its standby's, if it is connected.
  void Deliver(const std::string& child);

  // Called with (child, connected) when a child's stream starts, and when
  // its last stream ends (not under the lock; must not call back in).
  void SetLinkListener(std::function<void(const std::string&, bool)> listener) {
    link_listener_ = std::move(listener);
  }
  // Something came from `child` at `now` (this node's clock).
  void Heard(const std::string& child, absl::Time now);
  // What `child` reported of itself and its children.
  void SetStatus(const std::string& child, v1::SubtreeStatus status);
  // What is known of a child: whether its stream is open, when it was last
  // heard, its last SubtreeStatus.
  struct Known {
    bool connected = false;
    absl::Time last_heard = absl::InfinitePast();
    absl::Time status_at = absl::InfinitePast();
    v1::SubtreeStatus status;
  };
  absl::flat_hash_map<std::string, Known> Snapshot() const;

 private:
  struct Link {
    uint64_t token;
    bool standby;
    Push push;
  };
  // The link instructions go down: the primary's newest, else the
  // standby's newest; nullptr if none.
  static Link* DownLink(std::vector<Link>& links);

  InstructionBook* const book_;
  std::function<void(const std::string&, bool)> link_listener_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Known> known_ ABSL_GUARDED_BY(mu_);
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 0;
  // Every open stream of a child, oldest first.
  absl::flat_hash_map<std::string, std::vector<Link>> links_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CHILD_STREAMS_H_
