#ifndef KUAIBAO_CLIENT_AUDIT_CLIENT_H_
#define KUAIBAO_CLIENT_AUDIT_CLIENT_H_

// The calls of the Audit service, kept apart from RelayClient like
// CommandClient: the commands see no gRPC headers.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/audit.pb.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

// Thread-compatible: one call at a time. Each returns the node's status on
// failure.
class AuditClient {
 public:
  virtual ~AuditClient() = default;
  virtual absl::StatusOr<v1::TimelineResponse> Timeline(
      const v1::TimelineRequest& request) = 0;
  virtual absl::StatusOr<v1::ListBreachesResponse> ListBreaches(
      const v1::ListBreachesRequest& request) = 0;
  virtual absl::StatusOr<v1::PunctualityResponse> Punctuality(
      const v1::PunctualityRequest& request) = 0;
  virtual absl::StatusOr<v1::StatisticsResponse> Statistics(
      const v1::StatisticsRequest& request) = 0;
  virtual absl::StatusOr<v1::ClockSkewResponse> ClockSkew() = 0;
  virtual absl::StatusOr<v1::BreachReview> ReviewBreach(
      const v1::ReviewBreachRequest& request) = 0;
};

// A client for the node at `address` over mutually authenticated TLS; as
// ConnectToNode. Defined in grpc_audit_client.cc.
absl::StatusOr<std::unique_ptr<AuditClient>> ConnectAuditClient(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_AUDIT_CLIENT_H_
