#include "node/command_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/base/log.h"
#include "relay/proto_time.h"
#include "relay/region.h"
#include "relay/transport/peer_identity.h"
#include "relay/transport/status_conversion.h"
#include "relay/validation.h"

namespace kuaibao {
namespace {

// Finishes `reactor` with `result`, copied into `response` when OK.
template <typename T>
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context,
                                 absl::StatusOr<T> result, T* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!result.ok()) {
    reactor->Finish(ToGrpcStatus(result.status()));
    return reactor;
  }
  *response = *std::move(result);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* CommandService::IssueInstruction(
    grpc::CallbackServerContext* context,
    const v1::IssueInstructionRequest* request, InstructionState* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  if (!caller.ok()) {
    return Finish(context, absl::StatusOr<InstructionState>(caller.status()),
                  response);
  }
  absl::StatusOr<InstructionState> state = book_->Issue(
      *caller, request->instruction(),
      absl::Seconds(static_cast<int64_t>(request->feedback_within_seconds())));
  if (state.ok()) {
    Log(LogLevel::kInfo, "instruction issued",
        {{"instruction_id", request->instruction().instruction_id()},
         {"by", caller->uri},
         {"target", state->instruction().target_region()}});
  }
  return Finish(context, std::move(state), response);
}

grpc::ServerUnaryReactor* CommandService::SendFeedback(
    grpc::CallbackServerContext* context,
    const v1::SendFeedbackRequest* request, InstructionState* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  absl::StatusOr<InstructionState> state =
      caller.ok() ? book_->SendFeedback(*caller, request->feedback())
                  : absl::StatusOr<InstructionState>(caller.status());
  return Finish(context, std::move(state), response);
}

grpc::ServerUnaryReactor* CommandService::ListInstructions(
    grpc::CallbackServerContext* context,
    const v1::ListInstructionsRequest* request,
    v1::ListInstructionsResponse* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  if (!caller.ok()) {
    return Finish(context,
                  absl::StatusOr<v1::ListInstructionsResponse>(caller.status()),
                  response);
  }
  absl::Time now = clock_->TimeNow();
  absl::StatusOr<std::vector<InstructionState>> list =
      book_->List(caller->region, request->event_id(), now);
  if (!list.ok()) {
    return Finish(context,
                  absl::StatusOr<v1::ListInstructionsResponse>(list.status()),
                  response);
  }
  v1::ListInstructionsResponse out;
  out.set_node(book_->region());
  *out.mutable_as_of() = ToProto(now);
  for (InstructionState& s : *list) *out.add_instructions() = std::move(s);
  return Finish(context, absl::StatusOr<v1::ListInstructionsResponse>(out),
                response);
}

grpc::ServerUnaryReactor* CommandService::RecordNationalSubmission(
    grpc::CallbackServerContext* context,
    const v1::RecordNationalSubmissionRequest* request, Forwarding* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  if (!caller.ok()) {
    return Finish(context, absl::StatusOr<Forwarding>(caller.status()),
                  response);
  }
  NationalSubmission submission{request->report_id(), request->channel(),
                                FromProto(request->submitted_at()),
                                request->note()};
  absl::StatusOr<Forwarding> recorded =
      relay_->RecordNationalSubmission(*caller, submission, clock_->TimeNow());
  if (recorded.ok()) {
    Log(LogLevel::kInfo, "submission to the State Council recorded",
        {{"report_id", request->report_id()},
         {"channel", recorded->channel()},
         {"by", caller->uri}});
  }
  return Finish(context, std::move(recorded), response);
}

bool HandleInstructionUp(
    InstructionBook* book, const Identity& child, v1::RelayUp* up,
    const std::function<void(std::optional<v1::RelayDown>)>& reply) {
  if (!up->instruction_ack().empty()) {
    absl::Status s = book->Acknowledged(child.region, up->instruction_ack());
    if (!s.ok()) {
      // Stays queued: pushed again on the child's next connection.
      Log(LogLevel::kError, "cannot record an instruction acknowledgement",
          {{"instruction_id", up->instruction_ack()},
           {"child", child.uri},
           {"reason", std::string(s.message())}});
    }
    reply(std::nullopt);
    return true;
  }
  if (!up->has_feedback()) return false;
  std::string id = up->feedback().feedback_id();
  absl::StatusOr<FeedbackReceipt> receipt =
      book->ReceiveFeedback(child, std::move(*up->mutable_feedback()));
  v1::RelayDown down;
  if (receipt.ok()) {
    *down.mutable_feedback_receipt() = *std::move(receipt);
  } else {
    Log(LogLevel::kWarning, "feedback refused",
        {{"feedback_id", id},
         {"from", child.uri},
         {"code", absl::StatusCodeToString(receipt.status().code())},
         {"reason", std::string(receipt.status().message())}});
    v1::Rejection* rejection = down.mutable_rejection();
    rejection->set_report_id(id);
    rejection->set_code(static_cast<int>(receipt.status().code()));
    rejection->set_message(std::string(receipt.status().message()));
    rejection->set_field(ErrorField(receipt.status()));
  }
  reply(std::move(down));
  return true;
}

grpc::ServerUnaryReactor* CommandService::IssueRollCall(
    grpc::CallbackServerContext* context,
    const v1::IssueRollCallRequest* request, v1::RollCallStatus* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  absl::StatusOr<v1::RollCallStatus> status =
      caller.ok()
          ? roll_calls_->Issue(*caller, request->roll_call(), request->level())
          : absl::StatusOr<v1::RollCallStatus>(caller.status());
  if (status.ok()) {
    Log(LogLevel::kInfo, "roll call issued",
        {{"roll_call_id", request->roll_call().roll_call_id()},
         {"by", caller->uri},
         {"targets", absl::StrCat(status->targets_size())}});
  }
  return Finish(context, std::move(status), response);
}

grpc::ServerUnaryReactor* CommandService::GetRollCall(
    grpc::CallbackServerContext* context, const v1::GetRollCallRequest* request,
    v1::RollCallStatus* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  absl::StatusOr<v1::RollCallStatus> status =
      caller.ok()
          ? roll_calls_->Status(request->roll_call_id(), request->round())
          : absl::StatusOr<v1::RollCallStatus>(caller.status());
  // Readers of the issuer's region (or above) only: the roll call is theirs.
  if (status.ok() &&
      !RegionContains(caller->region, status->roll_call().issuer_node())) {
    status = absl::PermissionDeniedError(absl::StrCat(
        caller->uri, " may not read roll call ", request->roll_call_id(),
        " of node ", status->roll_call().issuer_node()));
  }
  return Finish(context, std::move(status), response);
}

grpc::ServerUnaryReactor* CommandService::CloseRollCall(
    grpc::CallbackServerContext* context,
    const v1::CloseRollCallRequest* request, v1::RollCallStatus* response) {
  absl::StatusOr<Identity> caller = PeerIdentity(*context->auth_context());
  absl::StatusOr<v1::RollCallStatus> status =
      caller.ok() ? roll_calls_->Close(*caller, request->roll_call_id())
                  : absl::StatusOr<v1::RollCallStatus>(caller.status());
  return Finish(context, std::move(status), response);
}

}  // namespace kuaibao
