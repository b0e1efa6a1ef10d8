#ifndef KUAIBAO_CLIENT_COMMAND_CLIENT_H_
#define KUAIBAO_CLIENT_COMMAND_CLIENT_H_

// The calls of the Command service (instructions and feedback, the
// province's national submissions), kept apart
// from RelayClient like it: the commands see no gRPC headers.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuaibao/v1/service.pb.h"
#include "relay/transport/tls_credentials.h"

namespace kuaibao {

// Thread-compatible: one call at a time. Each returns the node's status on
// failure.
class CommandClient {
 public:
  virtual ~CommandClient() = default;
  virtual absl::StatusOr<v1::InstructionState> Issue(
      const v1::IssueInstructionRequest& request) = 0;
  virtual absl::StatusOr<v1::InstructionState> SendFeedback(
      const v1::SendFeedbackRequest& request) = 0;
  virtual absl::StatusOr<v1::ListInstructionsResponse> List(
      const v1::ListInstructionsRequest& request) = 0;
  virtual absl::StatusOr<v1::Forwarding> RecordNationalSubmission(
      const v1::RecordNationalSubmissionRequest& request) = 0;
  // Roll calls (client/rollcall_commands.h).
  virtual absl::StatusOr<v1::RollCallStatus> IssueRollCall(
      const v1::IssueRollCallRequest& request) = 0;
  virtual absl::StatusOr<v1::RollCallStatus> GetRollCall(
      const v1::GetRollCallRequest& request) = 0;
  virtual absl::StatusOr<v1::RollCallStatus> CloseRollCall(
      const v1::CloseRollCallRequest& request) = 0;
};

// A client for the node at `address` over mutually authenticated TLS; as
// ConnectToNode. Defined in grpc_command_client.cc.
absl::StatusOr<std::unique_ptr<CommandClient>> ConnectCommandClient(
    const std::string& address, const TlsPaths& tls, absl::Duration timeout);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_COMMAND_CLIENT_H_
