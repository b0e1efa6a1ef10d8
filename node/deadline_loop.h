#ifndef KUAIBAO_NODE_DEADLINE_LOOP_H_
#define KUAIBAO_NODE_DEADLINE_LOOP_H_

#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// The node's one clock loop: every tick it reads the clock and lets the
// engine check deadlines (record breaches, escalate past an unreachable
// parent), and logs what changed for the worse: at risk and met late as a
// warning, overdue as an error (never a line per report that is on time).
// The tick is a twentieth of the shortest budget, between 100 ms and 1 s, so
// a drill's scaled deadlines are seen in time.
//
// Thread-safe; owns one thread, joined by Shutdown.
class DeadlineLoop {
 public:
  // Borrowed: `engine` and `clock` outlive the loop.
  DeadlineLoop(RelayEngine* engine, Clock* clock, const DeadlinePolicy& policy);
  ~DeadlineLoop() { Shutdown(); }

  // Also runs `fn` with the time each tick (after the deadlines). Call
  // before Start.
  void AlsoEachTick(std::function<void(absl::Time)> fn) {
    also_ = std::move(fn);
  }
  void Start();
  void Shutdown();

 private:
  void Run();

  RelayEngine* const engine_;
  Clock* const clock_;
  const absl::Duration tick_;
  std::function<void(absl::Time)> also_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_DEADLINE_LOOP_H_
