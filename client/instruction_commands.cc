#include "client/instruction_commands.h"

#include <ostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/format.h"
#include "client/report_input.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

using HopList = google::protobuf::RepeatedPtrField<v1::InstructionHop>;

std::string Path(const HopList& hops, const google::protobuf::Timestamp& day) {
  std::vector<std::string> parts;
  for (const v1::InstructionHop& hop : hops) {
    parts.push_back(
        absl::StrCat(hop.node(), " ", FormatTimeOfDay(hop.received_at(), day)));
  }
  return absl::StrJoin(parts, " → ");
}

// Prints one InstructionState (the answer to instruct and feedback).
int PrintState(const absl::StatusOr<v1::InstructionState>& state,
               const CommandIo& io) {
  if (!state.ok()) {
    *io.err << FormatRpcError(state.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*state, io) ? kExitOk : kExitFailure;
  *io.out << FormatInstruction(*state, io.now);
  return kExitOk;
}

}  // namespace

absl::StatusOr<v1::FeedbackStatus> ParseFeedbackStatus(absl::string_view text) {
  std::string key =
      absl::StrReplaceAll(absl::AsciiStrToLower(text), {{"-", "_"}});
  if (key == "signed_for") return v1::FEEDBACK_STATUS_SIGNED_FOR;
  if (key == "in_progress") return v1::FEEDBACK_STATUS_IN_PROGRESS;
  if (key == "done") return v1::FEEDBACK_STATUS_DONE;
  if (key == "cannot_comply") return v1::FEEDBACK_STATUS_CANNOT_COMPLY;
  return absl::InvalidArgumentError(absl::StrCat(
      "--status: '", text,
      "' is not one of signed_for, done, in_progress, cannot_comply"));
}

std::string FormatInstruction(const v1::InstructionState& state,
                              absl::Time now) {
  const v1::Instruction& in = state.instruction();
  const google::protobuf::Timestamp& day = in.issued_at();
  std::string out = absl::StrCat("instruction ", in.instruction_id(),
                                 "  event ", in.event_id());
  if (!in.report_id().empty())
    absl::StrAppend(&out, "  report ", in.report_id());
  if (in.drill()) absl::StrAppend(&out, "  [DRILL]");
  absl::StrAppend(&out, "\n  issued    ", FormatTimestamp(in.issued_at()),
                  " at ", in.issuer_node(), " by ",
                  in.issuer_title().empty() ? "" : in.issuer_title() + " ", "(",
                  ShortIdentity(in.issued_by()), ")\n");
  absl::StrAppend(&out, "  to        ", in.target_region(), "; feedback due ",
                  FormatTimestamp(in.feedback_due()), "\n");
  absl::StrAppend(&out, "  text      ", in.text(), "\n");
  // The fullest path known here: the target's own record, once its receipt
  // came back.
  const HopList* path = &in.hops();
  for (const v1::Feedback& f : state.feedback()) {
    if (f.instruction_hops_size() > path->size()) path = &f.instruction_hops();
  }
  absl::StrAppend(&out, "  path      ", Path(*path, day));
  if (!state.pending_for().empty()) {
    absl::StrAppend(&out, "  (queued for ", state.pending_for(),
                    ", not yet acknowledged)");
  }
  absl::StrAppend(&out, "\n");
  for (const v1::Feedback& f : state.feedback()) {
    absl::StrAppend(&out, "  feedback  ",
                    EnumLabel(*v1::FeedbackStatus_descriptor(), f.status()),
                    "  ", FormatTimeOfDay(f.sent_at(), day), " from ",
                    f.from_node(), " (", ShortIdentity(f.by()), "): ", f.text(),
                    "\n            up: ", Path(f.hops(), day), "\n");
  }
  for (const v1::DeadlineStatus& d : state.deadlines()) {
    absl::StrAppend(&out, "  deadline  ",
                    DeadlineRuleInWords(d.rule(), d.start(), d.due()), ": ",
                    DeadlineStateLabel(d.state()), ", ",
                    DeadlineTiming(d.due(), d.met_at(), now), "; responsible ",
                    ShortIdentity(d.responsible()), "\n");
  }
  return out;
}

int RunInstruct(CommandClient& client, const InstructArgs& args,
                const CommandIo& io) {
  v1::IssueInstructionRequest request;
  v1::Instruction* in = request.mutable_instruction();
  in->set_instruction_id(args.instruction_id.empty() ? NewReportId(io.now)
                                                     : args.instruction_id);
  in->set_event_id(args.event_id);
  in->set_report_id(args.report_id);
  in->set_target_region(args.target);
  in->set_text(args.text);
  in->set_issuer_title(args.by);
  request.set_feedback_within_seconds(
      static_cast<uint64_t>(absl::ToInt64Seconds(args.due)));
  return PrintState(client.Issue(request), io);
}

int RunFeedback(CommandClient& client, const std::string& instruction_id,
                v1::FeedbackStatus status, const std::string& text,
                const std::string& feedback_id, const CommandIo& io) {
  v1::SendFeedbackRequest request;
  v1::Feedback* f = request.mutable_feedback();
  f->set_feedback_id(feedback_id.empty() ? NewReportId(io.now) : feedback_id);
  f->set_instruction_id(instruction_id);
  f->set_status(status);
  f->set_text(text);
  return PrintState(client.SendFeedback(request), io);
}

int RunInstructions(CommandClient& client, const std::string& event_id,
                    const CommandIo& io) {
  v1::ListInstructionsRequest request;
  request.set_event_id(event_id);
  absl::StatusOr<v1::ListInstructionsResponse> response = client.List(request);
  if (!response.ok()) {
    *io.err << FormatRpcError(response.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*response, io) ? kExitOk : kExitFailure;
  absl::Time now =
      IsSet(response->as_of()) ? FromProto(response->as_of()) : io.now;
  for (const v1::InstructionState& state : response->instructions()) {
    *io.out << FormatInstruction(state, now) << "\n";
  }
  *io.err << response->instructions_size() << " instruction(s) at node "
          << response->node() << "\n";
  return kExitOk;
}

}  // namespace kuaibao
