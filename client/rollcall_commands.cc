#include "client/rollcall_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/format.h"
#include "client/text_table.h"
#include "relay/proto_time.h"

namespace kuaibao {
namespace {

std::string StateText(const v1::RollCallTarget& t) {
  switch (t.state()) {
    case v1::ROLL_CALL_STATE_ZERO:
      return "零报告 zero";
    case v1::ROLL_CALL_STATE_REPORTED:
      return absl::StrCat("已报告 reported: ",
                          absl::StrJoin(t.report_ids(), ","));
    case v1::ROLL_CALL_STATE_RECEIVED:
      return t.overdue() ? "已签收未报 SILENT, OVERDUE"
                         : "已签收 received, not answered";
    default:
      return t.overdue() ? "未报 SILENT, OVERDUE" : "未报 silent";
  }
}

int Print(const absl::StatusOr<v1::RollCallStatus>& status,
          const CommandIo& io) {
  if (!status.ok()) {
    *io.err << FormatRpcError(status.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*status, io) ? kExitOk : kExitFailure;
  *io.out << FormatRollCall(*status);
  return kExitOk;
}

// The instruction of the latest round of `id` addressed to the node the
// client talks to.
absl::StatusOr<std::string> OwnPart(CommandClient& client,
                                    const std::string& id) {
  absl::StatusOr<v1::ListInstructionsResponse> list =
      client.List(v1::ListInstructionsRequest());
  if (!list.ok()) return list.status();
  const v1::Instruction* latest = nullptr;
  for (const v1::InstructionState& s : list->instructions()) {
    const v1::Instruction& in = s.instruction();
    if (in.roll_call_id() != id || in.target_region() != list->node()) {
      continue;
    }
    if (latest == nullptr || in.roll_call_round() > latest->roll_call_round()) {
      latest = &in;
    }
  }
  if (latest == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "no round of roll call ", id, " has reached node ", list->node()));
  }
  return latest->instruction_id();
}

}  // namespace

std::string CheckRollCallArgs(const RollCallArgs& args) {
  if (args.roll_call_id.empty()) return "rollcall: the ROLL_CALL_ID";
  if (args.action == "issue") {
    if (args.text.empty()) return "rollcall issue: --text";
    if (args.period.empty() && args.event_id.empty()) {
      return "rollcall issue: --period=TEXT or --event=ID";
    }
    if (args.due <= absl::ZeroDuration()) {
      return "rollcall issue: --due=DURATION (answer within, e.g. 2h)";
    }
    if (args.every < absl::ZeroDuration()) {
      return "--every must not be negative";
    }
    return "";
  }
  if (args.action == "answer") {
    if (args.zero == !args.report_ids.empty()) {
      return "rollcall answer: --zero (无情况零报告) or --report=ID[,ID...]";
    }
    return "";
  }
  if (args.action == "status" || args.action == "close") return "";
  return "rollcall: issue, status, answer or close";
}

int RunRollCall(CommandClient& client, const RollCallArgs& args,
                const CommandIo& io) {
  if (args.action == "issue") {
    v1::IssueRollCallRequest request;
    v1::RollCall* call = request.mutable_roll_call();
    call->set_roll_call_id(args.roll_call_id);
    call->set_text(args.text);
    call->set_period(args.period);
    call->set_event_id(args.event_id);
    call->set_issuer_title(args.by);
    *call->mutable_answer_within() = ToDurationProto(args.due);
    *call->mutable_repeat_every() = ToDurationProto(args.every);
    request.set_level(args.level);
    return Print(client.IssueRollCall(request), io);
  }
  if (args.action == "status") {
    v1::GetRollCallRequest request;
    request.set_roll_call_id(args.roll_call_id);
    request.set_round(args.round);
    absl::StatusOr<v1::RollCallStatus> status = client.GetRollCall(request);
    int code = Print(status, io);
    // Someone overdue: a script must notice.
    if (code == kExitOk) {
      for (const v1::RollCallTarget& t : status->targets()) {
        if (t.overdue()) return kExitFailure;
      }
    }
    return code;
  }
  if (args.action == "close") {
    v1::CloseRollCallRequest request;
    request.set_roll_call_id(args.roll_call_id);
    return Print(client.CloseRollCall(request), io);
  }
  absl::StatusOr<std::string> part = OwnPart(client, args.roll_call_id);
  if (!part.ok()) {
    *io.err << FormatRpcError(part.status(), io.node);
    return kExitFailure;
  }
  v1::SendFeedbackRequest request;
  v1::Feedback* f = request.mutable_feedback();
  // One answer per round and node: answering again is a resend.
  f->set_feedback_id(args.answer_id.empty() ? absl::StrCat(*part, ".answer")
                                            : args.answer_id);
  f->set_instruction_id(*part);
  f->set_status(v1::FEEDBACK_STATUS_DONE);
  v1::RollCallAnswer* answer = f->mutable_roll_call_answer();
  if (args.zero) {
    answer->set_kind(v1::RollCallAnswer::KIND_ZERO);
    f->set_text("无情况零报告");
  } else {
    answer->set_kind(v1::RollCallAnswer::KIND_REPORTED);
    for (const std::string& id : args.report_ids) answer->add_report_ids(id);
    f->set_text(absl::StrCat("已报告 ", absl::StrJoin(args.report_ids, ", ")));
  }
  absl::StatusOr<v1::InstructionState> state = client.SendFeedback(request);
  if (!state.ok()) {
    *io.err << FormatRpcError(state.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*state, io) ? kExitOk : kExitFailure;
  *io.out << "answered " << *part << ": " << f->text() << "\n";
  return kExitOk;
}

std::string FormatRollCall(const v1::RollCallStatus& status) {
  const v1::RollCall& call = status.roll_call();
  std::string out = absl::StrCat(
      "点名 roll call ", call.roll_call_id(), "  round ", status.round(),
      " of ", call.rounds(), call.closed() ? "  (closed)" : "",
      call.drill() ? "  [演练 EXERCISE]" : "", "\n");
  absl::StrAppend(
      &out, "  ", call.period().empty() ? "" : call.period() + "  ",
      call.text(), "\n  issued by ", call.issued_by(),
      call.issuer_title().empty() ? "" : " (" + call.issuer_title() + ")",
      " at ", call.issuer_node(), "  ", FormatTimestamp(call.issued_at()),
      "\n");
  if (IsSet(call.next_round_at())) {
    absl::StrAppend(&out, "  next round (日报) ",
                    FormatTimestamp(call.next_round_at()), "\n");
  }
  absl::StrAppend(&out, "  ", status.targets_size(),
                  " asked: ", status.answered(), " answered (",
                  status.reported(), " reported, ", status.zero(), " zero), ",
                  status.silent(), " silent\n\n");
  TextTable table({"REGION", "NAME", "ANSWER", "AT", "DUE"});
  for (const v1::RollCallTarget& t : status.targets()) {
    table.AddRow({t.region(), t.name(), StateText(t),
                  FormatTimestamp(t.answered_at()), FormatTimestamp(t.due())});
  }
  absl::StrAppend(&out, table.Render());
  return out;
}

}  // namespace kuaibao
