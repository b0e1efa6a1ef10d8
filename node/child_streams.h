#ifndef KUAIBAO_NODE_CHILD_STREAMS_H_
#define KUAIBAO_NODE_CHILD_STREAMS_H_

#include <cstdint>
#include <functional>
#include <string>

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
// gets it again when it reconnects.
//
// Thread-safe.
class ChildStreams {
 public:
  // Writes one message down a stream; false if the stream is over.
  using Push = std::function<bool(v1::RelayDown)>;

  // Borrowed: `book` outlives this.
  explicit ChildStreams(InstructionBook* book) : book_(book) {}

  // The child's newest stream (a reconnect replaces the old one). Returns a
  // token for Unregister.
  uint64_t Register(const std::string& child, Push push);
  // Forgets the stream, unless a newer one replaced it. After this returns
  // its Push is never called again.
  void Unregister(const std::string& child, uint64_t token);
  // Pushes everything queued for `child`, if it is connected.
  void Deliver(const std::string& child);

  // Called with (child, connected) when a child's stream starts or ends (not
  // under the lock; must not call back in).
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
    Push push;
  };

  InstructionBook* const book_;
  std::function<void(const std::string&, bool)> link_listener_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Known> known_ ABSL_GUARDED_BY(mu_);
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, Link> links_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CHILD_STREAMS_H_
