#ifndef KUAIBAO_NODE_UPSTREAM_INSTRUCTIONS_H_
#define KUAIBAO_NODE_UPSTREAM_INSTRUCTIONS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/instruction_book.h"

namespace kuaibao {

// The instruction traffic on a node's stream to its parent, for the
// Forwarder: instructions pushed down are stored (with this node's hop) and
// then acknowledged; feedback queued for the parent is sent up and deleted
// from the queue when the parent's receipt arrives. The forwarder's writer
// loop is the only writer of the stream, so acknowledgements wait here for
// it.
//
// Thread-safe: OnDown runs on the stream's reader thread, WriteUp on the
// writer loop.
class UpstreamInstructions {
 public:
  // Borrowed: `book` outlives this.
  explicit UpstreamInstructions(InstructionBook* book) : book_(book) {}

  // A new stream: all queued feedback is (re)sent on it.
  void StreamStarted();
  // True when `down` was instruction traffic (handled here), false when it
  // is about a report. Blocks for the write of what came down.
  bool OnDown(const v1::RelayDown& down);
  // Writes pending acknowledgements and feedback not yet sent on this
  // stream through `write`; false when a write failed (the stream broke),
  // or when an instruction could not be stored: the stream is to be
  // reopened so that the parent pushes it again.
  bool WriteUp(const std::function<bool(const v1::RelayUp&)>& write);

 private:
  InstructionBook* const book_;
  absl::Mutex mu_;
  // Instructions stored here, not yet acknowledged to the parent.
  std::vector<std::string> acks_ ABSL_GUARDED_BY(mu_);
  // Feedback ids sent on the current stream, receipt not yet in.
  absl::flat_hash_set<std::string> sent_ ABSL_GUARDED_BY(mu_);
  bool store_failed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_UPSTREAM_INSTRUCTIONS_H_
