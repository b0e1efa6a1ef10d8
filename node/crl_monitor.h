#ifndef KUAIBAO_NODE_CRL_MONITOR_H_
#define KUAIBAO_NODE_CRL_MONITOR_H_

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relay/base/clock.h"

namespace kuaibao {

// Keeps an eye on a node's CRL directory: the start-up check (a current CRL
// of every CA the node knows, see CrlDirectory) and then, every `interval`,
// a warning in the log for each CRL that expires within `warn_before` (an
// error once one has expired: peers of that CA are being refused).
//
// Thread-safe. Owns one thread between Start and Shutdown.
class CrlMonitor {
 public:
  struct Options {
    std::string crl_dir;
    std::string ca_file;    // the trust bundle
    std::string cert_file;  // this node's chain (its issuing CA)
    absl::Duration warn_before = absl::Hours(7 * 24);
    absl::Duration interval = absl::Hours(1);
  };

  // Borrowed: `clock` outlives the monitor.
  CrlMonitor(Options options, Clock* clock);
  ~CrlMonitor();

  // Reads the directory now: FAILED_PRECONDITION (from
  // CrlDirectory::CheckCurrent) when a CA has no current CRL, NOT_FOUND for a
  // missing file or directory; logs the warnings.
  absl::Status CheckNow();

  void Start();
  void Shutdown();

 private:
  void Run();

  const Options options_;
  Clock* const clock_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_CRL_MONITOR_H_
