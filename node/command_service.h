#ifndef KUAIBAO_NODE_COMMAND_SERVICE_H_
#define KUAIBAO_NODE_COMMAND_SERVICE_H_

#include <functional>
#include <optional>

#include "kuaibao/v1/service.grpc.pb.h"
#include "relay/base/clock.h"
#include "relay/identity.h"
#include "relay/instruction_book.h"
#include "relay/national_submission.h"
#include "relay/relay_engine.h"
#include "relay/roll_call_book.h"

namespace kuaibao {

// Command: leaders issue instructions (批示), the target locality's duty
// officers send feedback, anyone reads those of their own subtree; at the
// province, duty officers record submissions to the State Council made by
// other means. An adapter over InstructionBook and NationalSubmissions.
// Borrowed: the book, relay and clock outlive it.
class CommandService final : public v1::Command::CallbackService {
 public:
  // `relay` records national submissions beside the reports' forwardings
  // (relay/national_submission.h).
  CommandService(InstructionBook* book, RollCallBook* roll_calls,
                 RelayEngine* relay, Clock* clock)
      : book_(book), roll_calls_(roll_calls), clock_(clock), relay_(relay) {}
  grpc::ServerUnaryReactor* IssueInstruction(
      grpc::CallbackServerContext* context,
      const v1::IssueInstructionRequest* request,
      InstructionState* response) override;
  grpc::ServerUnaryReactor* SendFeedback(grpc::CallbackServerContext* context,
                                         const v1::SendFeedbackRequest* request,
                                         InstructionState* response) override;
  grpc::ServerUnaryReactor* ListInstructions(
      grpc::CallbackServerContext* context,
      const v1::ListInstructionsRequest* request,
      v1::ListInstructionsResponse* response) override;
  grpc::ServerUnaryReactor* RecordNationalSubmission(
      grpc::CallbackServerContext* context,
      const v1::RecordNationalSubmissionRequest* request,
      Forwarding* response) override;
  grpc::ServerUnaryReactor* IssueRollCall(
      grpc::CallbackServerContext* context,
      const v1::IssueRollCallRequest* request,
      v1::RollCallStatus* response) override;
  grpc::ServerUnaryReactor* GetRollCall(grpc::CallbackServerContext* context,
                                        const v1::GetRollCallRequest* request,
                                        v1::RollCallStatus* response) override;
  grpc::ServerUnaryReactor* CloseRollCall(
      grpc::CallbackServerContext* context,
      const v1::CloseRollCallRequest* request,
      v1::RollCallStatus* response) override;

 private:
  InstructionBook* const book_;
  RollCallBook* const roll_calls_;
  Clock* const clock_;
  RelayEngine* const relay_;
};

// The instruction traffic on a child's relay stream: an acknowledgement of
// an instruction pushed down (no answer) or feedback on its way up (answered
// with a feedback receipt, or a rejection naming the feedback id). False
// when `up` is neither (a report). Blocks for one synced write.
bool HandleInstructionUp(
    InstructionBook* book, const Identity& child, v1::RelayUp* up,
    const std::function<void(std::optional<v1::RelayDown>)>& reply);

}  // namespace kuaibao

#endif  // KUAIBAO_NODE_COMMAND_SERVICE_H_
