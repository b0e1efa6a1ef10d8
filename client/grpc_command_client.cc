#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/time/clock.h"
#include "client/command_client.h"
#include "client/grpc_unary_call.h"
#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/base/status_macros.h"
#include "relay/transport/status_conversion.h"

namespace kuaibao {
namespace {

class GrpcCommandClient final : public CommandClient {
 public:
  GrpcCommandClient(const std::shared_ptr<grpc::Channel>& channel,
                    absl::Duration timeout)
      : stub_(v1::Command::NewStub(channel)), timeout_(timeout) {}

  absl::StatusOr<v1::InstructionState> Issue(
      const v1::IssueInstructionRequest& request) override {
    return Call(&v1::Command::Stub::IssueInstruction, request);
  }
  absl::StatusOr<v1::InstructionState> SendFeedback(
      const v1::SendFeedbackRequest& request) override {
    return Call(&v1::Command::Stub::SendFeedback, request);
  }
  absl::StatusOr<v1::ListInstructionsResponse> List(
      const v1::ListInstructionsRequest& request) override {
    return Call(&v1::Command::Stub::ListInstructions, request);
  }
  absl::StatusOr<v1::Forwarding> RecordNationalSubmission(
      const v1::RecordNationalSubmissionRequest& request) override {
    return Call(&v1::Command::Stub::RecordNationalSubmission, request);
  }
  absl::StatusOr<v1::RollCallStatus> IssueRollCall(
      const v1::IssueRollCallRequest& request) override {
    return Call(&v1::Command::Stub::IssueRollCall, request);
  }
  absl::StatusOr<v1::RollCallStatus> GetRollCall(
      const v1::GetRollCallRequest& request) override {
    return Call(&v1::Command::Stub::GetRollCall, request);
  }
  absl::StatusOr<v1::RollCallStatus> CloseRollCall(
      const v1::CloseRollCallRequest& request) override {
    return Call(&v1::Command::Stub::CloseRollCall, request);
  }

 private:
  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(
      grpc::Status (v1::Command::Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
      const Request& request) {
    return UnaryCall(stub_.get(), method, request, timeout_);
  }

  std::unique_ptr<v1::Command::Stub> stub_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CommandClient>> ConnectCommandClient(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   MakeChannelCredentials(tls));
  return std::make_unique<GrpcCommandClient>(
      grpc::CreateChannel(address, credentials), timeout);
}

}  // namespace kuaibao
