#ifndef KUAIBAO_CLIENT_RELAY_CLIENT_H_
#define KUAIBAO_CLIENT_RELAY_CLIENT_H_

// The calls the command-line client makes to a node. The interface keeps the
// commands (and their tests) free of gRPC headers; GrpcRelayClient
// (client/grpc_relay_client.h) is the implementation that talks to a node.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/monitor.pb.h"
#include "kuaibao/v1/report.pb.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

// How an Intake.Submit stream ended.
struct SubmitResult {
  // The stream's final status; OK when the node closed it normally.
  absl::Status status;
  // How many reports were handed to the stream: the first `written` of the
  // input. The rest were never sent because the stream had already failed.
  size_t written = 0;
};

// Thread-compatible: one call at a time.
class RelayClient {
 public:
  virtual ~RelayClient() = default;

  // Sends `reports` in order on one Intake.Submit stream and calls
  // `on_response` for each response as it arrives, possibly on another
  // thread but never concurrently with itself, and never after Submit
  // returns. A rejected report is a response, not a failed stream.
  virtual SubmitResult Submit(
      const std::vector<v1::IncidentReport>& reports,
      absl::FunctionRef<void(const v1::SubmitResponse&)> on_response) = 0;

  // Query.GetReport / Query.ListReports; the node's status on failure
  // (NOT_FOUND for an unknown id or one outside the caller's subtree).
  virtual absl::StatusOr<v1::GetReportResponse> GetReport(
      const std::string& report_id) = 0;
  virtual absl::StatusOr<v1::ListReportsResponse> ListReports(
      const v1::ListReportsRequest& request) = 0;
  // Query.ListDue: the deadlines of the caller's subtree as the node sees
  // them, soonest due first; with `include_met` also those met on time. The
  // node's status on failure.
  virtual absl::StatusOr<v1::ListDueResponse> ListDue(bool include_met) = 0;

  // Monitor.GetStatus / Monitor.ListOrigins.
  virtual absl::StatusOr<v1::GetStatusResponse> GetStatus() = 0;
  virtual absl::StatusOr<v1::ListOriginsResponse> ListOrigins(
      const v1::ListOriginsRequest& request) = 0;
};

// A client for the node at `address` (host:port) over mutually authenticated
// TLS with the PEM files in `tls`. `timeout` is the deadline of each unary
// call and of a whole Submit stream. The connection is made on the first
// call, so an unreachable node shows up there as UNAVAILABLE; this fails only
// for unreadable TLS files (NOT_FOUND naming the file). Defined in
// grpc_relay_client.cc.
absl::StatusOr<std::unique_ptr<RelayClient>> ConnectToNode(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_RELAY_CLIENT_H_
