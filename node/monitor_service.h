#ifndef KUAIBAO_NODE_MONITOR_SERVICE_H_
#define KUAIBAO_NODE_MONITOR_SERVICE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "kuaibao/v1/monitor.grpc.pb.h"
#include "node/child_streams.h"
#include "node/forwarder.h"
#include "relay/admission_control.h"
#include "relay/clock_skew.h"
#include "relay/region.h"
#include "relay/relay_engine.h"

namespace kuaibao {

// Monitor: what the node shows about itself (GetStatus: intake, disk, links)
// and about the reports it received (ListOrigins: each origin's numbers and
// gaps). An adapter like the other services.
class MonitorService final : public v1::Monitor::CallbackService {
 public:
  struct Options {
    absl::Duration stall_after = absl::Seconds(60);
    absl::Duration overdue_after = absl::Hours(2);
    // This node's certificate chain, whose expiry the status shows.
    std::string cert_file;
  };

  // Borrowed: everything outlives the service. The node started "now".
  MonitorService(Options options, RelayEngine* relay,
                 const AdmissionControl* admission,
                 std::vector<const Forwarder*> links, Clock* clock);

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* ListOrigins(
      grpc::CallbackServerContext* context,
      const v1::ListOriginsRequest* request,
      v1::ListOriginsResponse* response) override;
  grpc::ServerUnaryReactor* ListChildren(
      grpc::CallbackServerContext* context,
      const v1::ListChildrenRequest* request,
      v1::ListChildrenResponse* response) override;

  // What ListChildren reads. Borrowed; `skew` may be nullptr. Before serving.
  void SetChildren(const RegionTable* regions, const ChildStreams* children,
                   const ClockSkewTracker* skew) {
    regions_ = regions;
    children_ = children;
    skew_ = skew;
  }

 private:
  const RegionTable* regions_ = nullptr;
  const ChildStreams* children_ = nullptr;
  const ClockSkewTracker* skew_ = nullptr;
  const Options options_;
  RelayEngine* const relay_;
  const AdmissionControl* const admission_;
  const std::vector<const Forwarder*> links_;
  Clock* const clock_;
  const absl::Time started_;
};

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_MONITOR_SERVICE_H_
