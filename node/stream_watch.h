#ifndef KUAIBAO_NODE_STREAM_WATCH_H_
#define KUAIBAO_NODE_STREAM_WATCH_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"
#include "relay/base/log_limiter.h"

namespace kuaibao {

// Ends the streams that stall: a peer that sends half a message and then
// nothing holds the node's buffers for that message (and a call) for as long
// as it likes; gRPC 1.51 has no per-message timeout. A stream stalls when
// the node waits for its next message, owes it nothing (no answer pending,
// no write in flight) and no complete message came for `limit`. Between
// messages looks the same from above gRPC, so a stream idle that long is
// ended too: clients' intake streams last one submission, a child's relay
// stream carries its status every 5 s, an on-demand link closes its idle
// stream by itself (node/forwarder.h).
//
// Streams register themselves (AckStreamReactor); Sweep, called by the
// node's guard loop (node/peer_guard.h), ends those stalled. Time is real
// time (`clock`, RealClock in the node): a test clock moved by days must not
// end every stream.
//
// Thread-safe.
class StreamWatch {
 public:
  // What a watched stream offers.
  class Stream {
   public:
    // Ends the stream if it stalled: waits for a message, owes nothing, and
    // the last complete message (or the start) was before `cutoff`. True if
    // it ended it.
    virtual bool EndIfStalled(absl::Time cutoff) = 0;
    // Keep the stream alive while a sweep calls it (it may end meanwhile).
    virtual void Ref() = 0;
    virtual void Unref() = 0;

   protected:
    ~Stream() = default;
  };

  // Borrowed: `clock` outlives the watch.
  StreamWatch(absl::Duration limit, Clock* clock);

  absl::Time Now() { return clock_->TimeNow(); }

  // Watches `stream` of `peer` (its identity URI) until Remove(the id).
  uint64_t Add(Stream* stream, const std::string& peer);
  void Remove(uint64_t id);

  // Ends every stalled stream and logs each (rate-limited per peer); returns
  // how many it ended.
  int Sweep();

  uint64_t ended_total() const { return ended_total_.load(); }
  size_t watched();
  absl::Duration limit() const { return limit_; }

 private:
  struct Entry {
    Stream* stream;
    std::string peer;
  };

  const absl::Duration limit_;
  Clock* const clock_;
  LogLimiter lines_;
  std::atomic<uint64_t> ended_total_{0};

  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint64_t, Entry> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_STREAM_WATCH_H_
