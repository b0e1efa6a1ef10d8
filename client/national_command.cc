#include "client/national_command.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "client/format.h"
#include "relay/proto_time.h"

namespace kuaibao {

int RunNationalSubmitted(CommandClient& client, const NationalArgs& args,
                         const CommandIo& io) {
  v1::RecordNationalSubmissionRequest request;
  request.set_report_id(args.report_id);
  request.set_channel(args.channel);
  if (args.at != absl::InfinitePast()) {
    *request.mutable_submitted_at() = ToProto(args.at);
  }
  request.set_note(args.note);
  absl::StatusOr<v1::Forwarding> recorded =
      client.RecordNationalSubmission(request);
  if (!recorded.ok()) {
    *io.err << FormatRpcError(recorded.status(), io.node);
    return kExitFailure;
  }
  if (io.json) return PrintJsonLine(*recorded, io) ? kExitOk : kExitFailure;
  *io.out << "report " << args.report_id
          << ": submitted to the State Council by " << recorded->channel()
          << " at " << FormatTimestamp(recorded->sent_at()) << "\n"
          << "  recorded " << FormatTimestamp(recorded->recorded_at()) << " by "
          << ShortIdentity(recorded->recorded_by()) << "\n";
  if (!args.note.empty()) *io.out << "  note     " << args.note << "\n";
  return kExitOk;
}

}  // namespace kuaibao
