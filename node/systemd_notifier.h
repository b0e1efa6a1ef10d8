#ifndef KUAIBAO_NODE_SYSTEMD_NOTIFIER_H_
#define KUAIBAO_NODE_SYSTEMD_NOTIFIER_H_

#include <signal.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "node/node_config.h"

namespace kuaibao {

// Tells systemd how the node is doing (a `Type=notify` unit with
// `WatchdogSec`): the datagram protocol of sd_notify(3) on $NOTIFY_SOCKET,
// written out here rather than linking libsystemd for one sendto(). Without
// $NOTIFY_SOCKET (not under systemd) every call does nothing.
// Immutable after construction; thread-safe.
class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET (a path, or "@name" for the abstract namespace) and
  // WATCHDOG_USEC (honoured only when WATCHDOG_PID is unset or this
  // process's).
  static SystemdNotifier FromEnvironment();

  bool enabled() const { return !socket_.empty(); }
  // How often systemd wants WATCHDOG=1; zero when it wants none.
  absl::Duration watchdog() const { return watchdog_; }

  // Sends `state` ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=..."; several
  // separated by newlines). OK when not enabled; UNAVAILABLE naming the
  // socket when the send fails.
  absl::Status Notify(absl::string_view state) const;

 private:
  SystemdNotifier(std::string socket, absl::Duration watchdog)
      : socket_(std::move(socket)), watchdog_(watchdog) {}

  const std::string socket_;
  const absl::Duration watchdog_;
};

// The running node's main loop: tells systemd READY=1 (the node serves
// once NodeServer::Start returned), then waits for one of `stop_signals`
// (blocked in every thread), meanwhile, if systemd wants a watchdog, probing
// the node itself every half watchdog period (ProbeNode: a real mTLS call
// that reads the store) and sending WATCHDOG=1 only when it answered: a node
// wedged below gRPC is restarted by systemd. Sends STOPPING=1 and returns
// the signal.
int ServeUntilStopped(const NodeConfig& config, const sigset_t& stop_signals);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_SYSTEMD_NOTIFIER_H_
