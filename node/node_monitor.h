#ifndef KUAIBAO_NODE_NODE_MONITOR_H_
#define KUAIBAO_NODE_NODE_MONITOR_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "node/forwarder.h"
#include "relay/admission_control.h"
#include "relay/link_health.h"
#include "relay/relay_engine.h"

namespace grpc {
class HealthCheckServiceInterface;
}  // namespace grpc

namespace kuaibao {

// The node's one periodic loop. Every `interval`:
//  - measures the backlog, the data directory and its disk and lets
//    AdmissionControl decide whether new reports are taken;
//  - after a failed store write, reopens the store once there is room again;
//  - publishes the result as the health of the intake and relay services
//    (grpc.health.v1: "kuaibao.v1.Intake", "kuaibao.v1.Relay" NOT_SERVING
//    while refusing; the node as a whole, "", stays SERVING) and logs it once
//    per change, as an error when it starts refusing;
//  - judges every upstream link by its progress (AssessLink) and logs when
//    one stalls and when it moves again.
// Decisions take "now" from the injected clock; only the loop's pacing is
// real time.
//
// Thread-safe. Owns one thread; Shutdown joins it.
class NodeMonitor {
 public:
  struct Options {
    std::string data_dir;
    absl::Duration interval = absl::Seconds(1);
    absl::Duration stall_after = absl::Seconds(60);
  };

  // Borrowed: everything outlives the monitor. `health` may be null.
  NodeMonitor(Options options, RelayEngine* relay, AdmissionControl* admission,
              std::vector<const Forwarder*> links,
              grpc::HealthCheckServiceInterface* health, Clock* clock);
  ~NodeMonitor();

  // Checks once, then starts the loop.
  void Start();
  void Shutdown();
  // One round of the loop.
  void Check();

 private:
  const Options options_;
  RelayEngine* const relay_;
  AdmissionControl* const admission_;
  const std::vector<const Forwarder*> links_;
  grpc::HealthCheckServiceInterface* const health_;
  Clock* const clock_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // What was last published and logged; the first check publishes anyway.
  bool published_ ABSL_GUARDED_BY(mu_) = false;
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;
  std::vector<LinkHealth> conditions_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_MONITOR_H_
