#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/time/clock.h"
#include "client/audit_client.h"
#include "client/grpc_unary_call.h"
#include "kuaibao/v1/audit.grpc.pb.h"
#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

class GrpcAuditClient final : public AuditClient {
 public:
  GrpcAuditClient(const std::shared_ptr<grpc::Channel>& channel,
                  absl::Duration timeout)
      : stub_(v1::Audit::NewStub(channel)), timeout_(timeout) {}

  absl::StatusOr<v1::TimelineResponse> Timeline(
      const v1::TimelineRequest& request) override {
    return Call(&v1::Audit::Stub::Timeline, request);
  }
  absl::StatusOr<v1::ListBreachesResponse> ListBreaches(
      const v1::ListBreachesRequest& request) override {
    return Call(&v1::Audit::Stub::ListBreaches, request);
  }
  absl::StatusOr<v1::PunctualityResponse> Punctuality(
      const v1::PunctualityRequest& request) override {
    return Call(&v1::Audit::Stub::Punctuality, request);
  }
  absl::StatusOr<v1::StatisticsResponse> Statistics(
      const v1::StatisticsRequest& request) override {
    return Call(&v1::Audit::Stub::Statistics, request);
  }
  absl::StatusOr<v1::ClockSkewResponse> ClockSkew() override {
    return Call(&v1::Audit::Stub::ClockSkew, v1::ClockSkewRequest());
  }
  absl::StatusOr<v1::BreachReview> ReviewBreach(
      const v1::ReviewBreachRequest& request) override {
    return Call(&v1::Audit::Stub::ReviewBreach, request);
  }

 private:
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (v1::Audit::Stub::*method)(grpc::ClientContext*,
                                              const Request&, Response*),
      const Request& request) {
    return UnaryCall(stub_.get(), method, request, timeout_);
  }

  std::unique_ptr<v1::Audit::Stub> stub_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AuditClient>> ConnectAuditClient(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(tls));
  return std::make_unique<GrpcAuditClient>(
      grpc::CreateChannel(address, credentials), timeout);
}

}  // namespace kuaibao
