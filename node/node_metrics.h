#ifndef KUAIBAO_NODE_NODE_METRICS_H_
#define KUAIBAO_NODE_NODE_METRICS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "node/forwarder.h"
#include "relay/admission_control.h"
#include "relay/base/clock.h"
#include "relay/instruction_book.h"
#include "relay/relay_engine.h"
#include "relay/report_counters.h"

namespace kuaibao {

// The node's metrics in the Prometheus text format, gathered at each scrape
// from what the node already keeps: the intake and relay counters, each
// upstream link's forwarder (sends, receipts, state) and outbox (waiting,
// held, oldest), the deadlines open here (reports, events and
// instructions, as `kuaibao due` shows them), breaches recorded, the
// origin ledger's gaps, the disk and its limits (AdmissionControl), the
// certificates' expiry and the process's start. README "Metrics" lists them.
//
// A scrape reads the outbox and ledger like `kuaibao status` and `kuaibao
// origins` do: meant for a scrape every few seconds at most, not for a hot
// path. Thread-safe (all it reads is).
class NodeMetrics {
 public:
  struct Options {
    std::string cert_file;  // this node's chain: leaf, then issuing CA
    std::string ca_file;    // the trust bundle
    absl::Duration stall_after = absl::Seconds(60);
    absl::Duration overdue_after = absl::Hours(2);
  };

  // Borrowed: everything outlives the metrics. The process started "now".
  NodeMetrics(Options options, RelayEngine* relay, InstructionBook* book,
              const AdmissionControl* admission,
              std::vector<const Forwarder*> links,
              const ReportCounters* counters, Clock* clock);

  // Every metric as of now. A part that cannot be read (a store error) is
  // left out and counted in kuaibao_metrics_errors (the scrape still
  // answers).
  std::string Render() const;

 private:
  const Options options_;
  RelayEngine* const relay_;
  InstructionBook* const book_;
  const AdmissionControl* const admission_;
  const std::vector<const Forwarder*> links_;
  const ReportCounters* const counters_;
  Clock* const clock_;
  const absl::Time started_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_NODE_METRICS_H_
