#ifndef KUAIBAO_CLIENT_INSTRUCTION_COMMANDS_H_
#define KUAIBAO_CLIENT_INSTRUCTION_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/command_client.h"
#include "client/command_io.h"

namespace kuaibao {

// What `kuaibao instruct` sends.
struct InstructArgs {
  std::string instruction_id;  // empty: a new UUIDv7
  std::string event_id;
  std::string report_id;
  std::string target;  // empty: the event's originating locality
  std::string text;
  std::string by;                             // the leader's name and post
  absl::Duration due = absl::ZeroDuration();  // 0: the node's default
};

// `kuaibao instruct`: issues an instruction (批示) at the node and prints it.
int RunInstruct(CommandClient& client, const InstructArgs& args,
                const CommandIo& io);
// `kuaibao instructions`: every instruction of the caller's subtree, with
// its path, feedback and deadlines.
int RunInstructions(CommandClient& client, const std::string& event_id,
                    const CommandIo& io);
// `kuaibao feedback`: the target locality reports back.
int RunFeedback(CommandClient& client, const std::string& instruction_id,
                v1::FeedbackStatus status, const std::string& text,
                const std::string& feedback_id, const CommandIo& io);

// "done", "in_progress" (or "in-progress"), "cannot_comply".
absl::StatusOr<v1::FeedbackStatus> ParseFeedbackStatus(absl::string_view text);

// An instruction for people: who issued it, the path down with each node's
// receipt time, the feedback and both deadlines as of `now`.
std::string FormatInstruction(const v1::InstructionState& state,
                              absl::Time now);

}  // namespace kuaibao

#endif  // KUAIBAO_CLIENT_INSTRUCTION_COMMANDS_H_
